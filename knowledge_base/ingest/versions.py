"""Policy versions over time: when a document takes effect, which later document of the same
region and scheme replaces it, and which version a question is about.

- `effective_date(text, title)`: "自2015年1月1日起施行/执行/实施" anywhere in the text, else a
  "2013年度" in the title (the annual benefit notices), else None. A date given at upload is kept
  in a sidecar `<file>.meta.json` (`{"effective_from": "2015-01-01"}`) and wins over the text.
- `apply_versions(clauses)`: a clause with an effective date is superseded by the earliest later
  effective date among *other* documents' clauses of the same region and scheme; it then carries
  `effective_to` (the day before) and `superseded_by` (that document's title). Clauses without a
  date, region or scheme are never versioned: the bundled web compilations rarely state one, and
  guessing would hide rules. A pure function of the clause list, so an incremental add reruns it.
- `order_for_period(hits, year)`: a question naming no year is about now — superseded versions go
  after current ones; a question naming a year ("2013年") puts the versions in force that year
  first. `period_label` is the "which period" sentence answers show.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from knowledge_base.models import Clause, SearchHit

SIDECAR_SUFFIX = ".meta.json"
_EFFECTIVE = re.compile(
    r"自\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:零时|0时|起至[^。;]*?止)?\s*起?\s*"
    r"(?:正式)?(?:施行|执行|实施|开始执行|开始实施|生效)"
)
_ANNUAL = re.compile(r"((?:19|20)\d{2})\s*年度")


def effective_date(text: str, title: str = "") -> date | None:
    """The date a document takes effect, from its own words (see module docstring)."""
    for m in _EFFECTIVE.finditer(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:  # "2月30日": not a date, look further
            continue
    if m := _ANNUAL.search(title):
        return date(int(m.group(1)), 1, 1)
    return None


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.name + SIDECAR_SUFFIX)


def read_sidecar_date(document: Path) -> date | None:
    """The effective date given at upload; None when there is none or it is unreadable."""
    path = sidecar_path(Path(document))
    if not path.is_file():
        return None
    try:
        return date.fromisoformat(json.loads(path.read_text("utf-8"))["effective_from"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_sidecar_date(document: Path, when: date) -> Path:
    path = sidecar_path(Path(document))
    path.write_text(json.dumps({"effective_from": when.isoformat()}), "utf-8")
    return path


def parse_date(value: str) -> date:
    """An upload's date: 2015-01-01, 2015/1/1 or 2015年1月1日; ValueError with a Chinese message."""
    m = re.fullmatch(r"\s*((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?\s*", value or "")
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise ValueError(f"生效日期格式不正确,应为 2015-01-01 或 2015年1月1日: {value!r}")


def apply_versions(clauses: Sequence[Clause]) -> list[Clause]:
    """Set `effective_to` / `superseded_by` on every versioned clause (see module docstring)."""
    starts: dict[tuple[str, str], list[tuple[date, str, str]]] = defaultdict(list)
    for c in clauses:
        if c.effective_from and c.region and c.scheme:
            starts[(c.region, c.scheme)].append((date.fromisoformat(c.effective_from), c.doc_id, c.doc_title))
    for key in starts:
        starts[key] = sorted(set(starts[key]))
    out: list[Clause] = []
    for c in clauses:
        later = None
        if c.effective_from and c.region and c.scheme:
            mine = date.fromisoformat(c.effective_from)
            later = next((s for s in starts[(c.region, c.scheme)] if s[0] > mine and s[1] != c.doc_id), None)
        to = (later[0] - timedelta(days=1)).isoformat() if later else None
        by = later[2] if later else None
        if c.effective_to != to or c.superseded_by != by:
            c = c.model_copy(update={"effective_to": to, "superseded_by": by})
        out.append(c)
    return out


def _cn(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def period_label(clause: Clause) -> str | None:
    """"2015年1月1日起施行" or "2013年1月1日至2014年12月31日有效,已由《…》取代"."""
    if not clause.effective_from:
        return None
    if clause.effective_to:
        return f"{_cn(clause.effective_from)}至{_cn(clause.effective_to)}有效,已由《{clause.superseded_by}》取代"
    return f"{_cn(clause.effective_from)}起施行"


def in_force(clause: Clause, year: int) -> bool:
    """Whether the clause's version was in force at some time in `year` (undated: unknown → True)."""
    if not clause.effective_from:
        return True
    start = date.fromisoformat(clause.effective_from)
    end = date.fromisoformat(clause.effective_to) if clause.effective_to else date.max
    return start <= date(year, 12, 31) and end >= date(year, 1, 1)


def order_for_period(hits: Sequence[SearchHit], clauses: dict[str, Clause], year: int | None) -> list[SearchHit]:
    """Current versions first for a question about now; the versions in force in `year` first for a
    question naming a year. Stable: the ranking's order holds within each group."""
    def fits(h: SearchHit) -> bool:
        c = clauses.get(h.chunk_id)
        if c is None:
            return True
        return in_force(c, year) if year is not None else c.superseded_by is None

    return [h for h in hits if fits(h)] + [h for h in hits if not fits(h)]
