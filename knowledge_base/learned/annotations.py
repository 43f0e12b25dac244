"""Annotated questions: the data the learned components are trained and judged on.

Each item was written by an annotator (a helper session) who saw only the clauses and a description
of the users — never the code, lexicons or other splits — and records its author, the prompt it was
written under (`annotations/prompts/<prompt>.md`) and its split. Gold clauses are (file, verbatim
quote) pairs, not chunk ids, so the data stays valid when the segmenter changes.

Splits: `train` and `dev` are read while building; `blind` files live under `annotations/blind/`,
are written by separate annotators and are read only by `medpolicy eval --split blind`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge_base.models import Clause
from knowledge_base.normalize import normalize_text

ANNOTATIONS_DIR = Path(__file__).resolve().parent.parent / "annotations"
Split = Literal["train", "dev", "blind"]
ItemType = Literal["answerable", "no_basis", "ambiguous"]
SPLIT_FILES: dict[str, tuple[str, ...]] = {
    "train": ("questions_train.jsonl",),
    "dev": ("questions_dev.jsonl",),
    "blind": ("blind/round-28.jsonl",),  # rounds 1–19 are train/dev now (rounds 19, 22–26 in part), rounds 19–27 wait in blind/retired/ (scripts/reuse_retired_blind.py)
}


class GoldRef(BaseModel):
    """A clause named by content: a source file and a verbatim snippet of its text."""

    file: str
    quote: str
    region: str | None = None
    scheme: str | None = None
    # Who named this clause: the question's author, or a relevance judge who saw the question beside
    # a clause the system ranked high and judged it an answer ("judge:J1", prompt relevance-v1).
    origin: str = "author"


class AnnotatedQuestion(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    split: Split
    author: str  # the annotator (helper session) that wrote it
    prompt: str  # the prompt id it was written under (annotations/prompts/<prompt>.md)
    type: ItemType
    question: str
    gold: list[GoldRef] = Field(default_factory=list)  # answerable: the clause(s) that answer it
    tempting: GoldRef | None = None  # no_basis: the clause a search is most likely to pick wrongly
    candidates: list[GoldRef] = Field(default_factory=list)  # ambiguous: clauses of different regions/schemes
    who: Literal["c", "o", "f"] = "c"
    registers: list[str] = Field(default_factory=list, alias="register")
    paraphrase: bool | None = None  # the author's word that it shares no content word with its clause
    category: str | None = None  # no_basis: why the library cannot answer
    retired_from: str | None = None  # "blind round-N": written for a blind round, reused once it was read

    @model_validator(mode="after")
    def _shape(self) -> AnnotatedQuestion:
        if not self.question.strip():
            raise ValueError(f"{self.id}: empty question")
        if self.type == "answerable" and not self.gold:
            raise ValueError(f"{self.id}: an answerable question needs gold clauses")
        if self.type == "ambiguous" and len(self.candidates) < 2:
            raise ValueError(f"{self.id}: an ambiguous question needs two candidate clauses")
        return self


def read_jsonl(path: Path) -> list[AnnotatedQuestion]:
    items = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(AnnotatedQuestion.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
    return items


def write_jsonl(path: Path, items: Iterable[AnnotatedQuestion]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item.model_dump(exclude_none=True, by_alias=True), ensure_ascii=False) + "\n")


def load_split(split: str, root: Path = ANNOTATIONS_DIR) -> list[AnnotatedQuestion]:
    """Every item of one split (`train`, `dev`, `blind`); a missing file is an empty split."""
    if split not in SPLIT_FILES:
        raise ValueError(f"unknown split {split!r}: use {', '.join(SPLIT_FILES)}")
    items: list[AnnotatedQuestion] = []
    for name in SPLIT_FILES[split]:
        path = root / name
        if path.exists():
            items.extend(read_jsonl(path))
    return items


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return normalize_text(text).replace(" ", "")


def matches(clause: Clause, ref: GoldRef) -> bool:
    """The clause holds the reference's snippet and comes (also) from its file."""
    files = {Path(s.file).name for s in clause.sources}
    return Path(ref.file).name in files and _norm(ref.quote) in _norm(clause.index_text)


def resolve(clauses: Sequence[Clause], refs: Sequence[GoldRef]) -> set[int]:
    """Positions of the clauses the references name."""
    return GoldResolver(clauses).resolve(refs)


class GoldResolver:
    """`resolve` for many items: clauses grouped by source file once, so each reference is
    checked against its own file's clauses only."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self.by_file: dict[str, list[tuple[int, str]]] = {}
        for i, c in enumerate(clauses):
            text = _norm(c.index_text)
            for f in {Path(s.file).name for s in c.sources}:
                self.by_file.setdefault(f, []).append((i, text))

    def resolve(self, refs: Sequence[GoldRef]) -> set[int]:
        out: set[int] = set()
        for ref in refs:
            quote = _norm(ref.quote)
            out.update(i for i, text in self.by_file.get(Path(ref.file).name, ()) if quote in text)
        return out


class SplitPlacer:
    """Where a new answerable item goes so that dev keeps measuring clauses training never saw.

    Train/dev already hold items placed by more than one rule (the clause hash of the first imports,
    retired blind rounds placed by their sentence), so a new item follows what is already there: the
    split of an item quoting the same sentence (train first), else the split holding one of its gold
    clauses (train checked first: a quote may resolve to several clauses, and a dev item on a clause
    training has seen measures memory), else `fallback` (a stable hash of the key it is given).
    """

    def __init__(self, clauses: Sequence[Clause], train: Sequence[AnnotatedQuestion],
                 dev: Sequence[AnnotatedQuestion]) -> None:
        self.clauses = clauses
        self.resolver = GoldResolver(clauses)
        self.quotes = {"train": _author_quotes(train), "dev": _author_quotes(dev)}
        self.gold_clauses = {
            name: {i for item in items if item.type == "answerable" for i in self.resolver.resolve(item.gold)}
            for name, items in (("train", train), ("dev", dev))}

    def place(self, item: AnnotatedQuestion, fallback: Callable[[str], str]) -> str:
        own = _author_quotes([item])
        for split in ("train", "dev"):
            if own & self.quotes[split]:
                return split
        hit = self.resolver.resolve(item.gold)
        if not hit:
            return fallback(item.question)
        for split in ("train", "dev"):
            if hit & self.gold_clauses[split]:
                return split
        return fallback(self.clauses[min(hit)].chunk_id)


def _author_quotes(items: Sequence[AnnotatedQuestion]) -> set[tuple[str, str]]:
    return {(g.file, g.quote) for item in items for g in item.gold if g.origin == "author"}


def doc_of(item: AnnotatedQuestion) -> str | None:
    """The document an item is about (its first gold or tempting clause's file): the unit of
    leave-one-document-out evaluation."""
    ref = item.gold[0] if item.gold else item.tempting or (item.candidates[0] if item.candidates else None)
    return Path(ref.file).stem if ref else None
