"""Tables as citable lines that keep their headers: "三级医院 · 起付线 · 800元".

A policy table is read as: first row = column headers, first column = row headers (the usual
layout of 起付线/报销比例 tables). Every data cell becomes one line "row header · column header ·
value。", so a clause found by search states the whole fact, not a bare "800元". The full stop
makes each a sentence: segmentation then packs a table's facts into the clause of the section
that holds the table, instead of reading each short line as a heading. Empty cells of a
merged header repeat the cell to their left (rows) or above (first column), as merged cells read.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge_base.formats.model import Extracted, PageRef

SEP = " · "


def _clean(cell: object) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _filled(rows: list[list[str]]) -> list[list[str]]:
    """Merged cells come back empty: a header row borrows from the left, the first column from above."""
    out = [list(r) for r in rows]
    if out:
        for c in range(1, len(out[0])):
            if not out[0][c]:
                out[0][c] = out[0][c - 1]
    for r in range(1, len(out)):
        if out[r] and not out[r][0] and out[r - 1]:
            out[r][0] = out[r - 1][0]
    return out


def table_lines(rows: Sequence[Sequence[object]], table_no: int, page: int | None) -> Extracted:
    """Lines for one table (see module docstring); a one-column or one-row table is read as
    plain rows joined by the separator."""
    grid = [[_clean(c) for c in row] for row in rows]
    grid = [r for r in grid if any(r)]
    width = max((len(r) for r in grid), default=0)
    grid = _filled([r + [""] * (width - len(r)) for r in grid])
    out = Extracted()
    if not grid:
        return out
    if len(grid) == 1 or width == 1:
        for r, row in enumerate(grid, 1):
            out.add(SEP.join(c for c in row if c) + "。", PageRef(page=page, cell=f"表{table_no}第{r}行"))
        return out
    header = grid[0]
    for r in range(1, len(grid)):
        row = grid[r]
        for c in range(1, width):
            if not row[c]:
                continue
            parts = [p for p in (row[0], header[c]) if p] + [row[c]]
            out.add(SEP.join(parts) + "。", PageRef(page=page, cell=f"表{table_no}第{r + 1}行第{c + 1}列"))
    return out
