"""Turn annotators' raw JSONL (written against a snapshot of the clauses, with chunk ids) into the
project's annotation files (gold as file + verbatim quote, author, prompt, split).

Usage: python scripts/import_annotations.py SNAPSHOT.jsonl --train-dev RAW... --blind RAW...
       python scripts/import_annotations.py SNAPSHOT.jsonl --append --nd-prompt near-domain-v2 --train-dev RAW...
(--append adds to the existing train/dev files, keeping every item already there and the pooled
relevance judgments merged into them by scripts/import_judgments.py.)
Train/dev: answerable items go to dev when their clause falls in the dev fifth (by a hash of the
chunk id, so every question of a dev clause is unseen in training: dev measures new clauses);
no-basis and ambiguous items by a hash of the question. Blind files are validated and written
without printing their content.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge_base.learned.annotations import (  # noqa: E402
    ANNOTATIONS_DIR,
    AnnotatedQuestion,
    GoldRef,
    SplitPlacer,
    load_split,
    write_jsonl,
)

PROMPTS = {"qa": "qa-pairs-v1", "nd": "near-domain-v1"}


def _bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 5


def _hash_split(key: str) -> str:
    return "dev" if _bucket(key) == 0 else "train"


def _built_clauses() -> list:
    from knowledge_base.config import KBSettings
    from knowledge_base.ingest.store import ClauseStore

    return ClauseStore(KBSettings().store_dir).load().clauses


def _snippet(text: str) -> str:
    return text.strip()[:40]


def convert(raw: Path, clauses: dict[str, dict], split_of, author: str,
            nd_prompt: str = PROMPTS["nd"], qa_prompt: str = PROMPTS["qa"]) -> tuple[list[AnnotatedQuestion], int]:
    items: list[AnnotatedQuestion] = []
    bad = 0
    for n, line in enumerate(raw.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if "skipped" in row:
            continue
        kind = row.get("type", "answerable")
        base = dict(author=author, who=row.get("who", "c") if row.get("who") in ("c", "o", "f") else "c",
                    register=[str(r) for r in (row.get("register") or [])], question=str(row.get("question", "")).strip())
        try:
            if kind == "answerable" or "quote" in row:
                clause = clauses.get(row.get("chunk_id", ""))
                quote = str(row.get("quote", ""))
                if clause is None or quote.replace(" ", "") not in clause["text"].replace(" ", ""):
                    bad += 1
                    continue
                split = split_of("answerable", row["chunk_id"], base["question"])
                item = AnnotatedQuestion(id=f"{author}-{n:04d}", split=split, prompt=qa_prompt, type="answerable",
                                         gold=[GoldRef(file=clause["file"], quote=quote)],
                                         paraphrase=row.get("paraphrase"), **base)
            elif kind == "no_basis":
                clause = clauses.get(row.get("tempting_chunk_id", ""))
                tempting = GoldRef(file=clause["file"], quote=_snippet(clause["text"])) if clause else None
                item = AnnotatedQuestion(id=f"{author}-{n:04d}", split=split_of("no_basis", "", base["question"]),
                                         prompt=nd_prompt, type="no_basis", tempting=tempting,
                                         category=row.get("category"), **base)
            elif kind == "ambiguous":
                cands = []
                for c in row.get("candidates") or []:
                    clause = clauses.get(c.get("chunk_id", ""))
                    if clause:
                        cands.append(GoldRef(file=clause["file"], quote=_snippet(clause["text"]),
                                             region=clause.get("region") or c.get("region"),
                                             scheme=clause.get("scheme") or c.get("scheme")))
                item = AnnotatedQuestion(id=f"{author}-{n:04d}", split=split_of("ambiguous", "", base["question"]),
                                         prompt=nd_prompt, type="ambiguous", candidates=cands, **base)
            else:
                bad += 1
                continue
        except ValueError:
            bad += 1
            continue
        items.append(item)
    return items, bad


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("snapshot", type=Path, help="the clauses JSONL the annotators were given")
    ap.add_argument("--train-dev", nargs="*", type=Path, default=[])
    ap.add_argument("--blind", nargs="*", type=Path, default=[])
    ap.add_argument("--blind-name", default="round-28")
    ap.add_argument("--append", action="store_true", help="add to the train/dev files instead of rewriting them")
    ap.add_argument("--nd-prompt", default=PROMPTS["nd"], help="the prompt the near-domain items were written under")
    ap.add_argument("--qa-prompt", default=PROMPTS["qa"], help="the prompt the question-clause pairs were written under")
    args = ap.parse_args()
    clauses = {}
    for line in args.snapshot.read_text("utf-8").splitlines():
        row = json.loads(line)
        clauses[row["chunk_id"]] = row

    def train_dev(kind: str, chunk: str, question: str) -> str:
        return _hash_split(chunk if kind == "answerable" else question)

    out: dict[str, list[AnnotatedQuestion]] = {"train": [], "dev": []}
    if args.append:
        for split in out:
            out[split] = load_split(split)
    seen = {i.id for items in out.values() for i in items}
    # Appending follows what train/dev already hold (retired blind rounds were placed by sentence), so a
    # new question on a dev clause never lands in train; needs the built knowledge base.
    placer = SplitPlacer(_built_clauses(), out["train"], out["dev"]) if args.append and args.train_dev else None
    for raw in args.train_dev:
        items, bad = convert(raw, clauses, train_dev, raw.stem, args.nd_prompt, args.qa_prompt)
        for item in items:
            if item.id in seen:
                raise SystemExit(f"{raw.name}: id {item.id} is already in the annotations (imported twice?)")
            if placer is not None and item.type == "answerable":
                item = item.model_copy(update={"split": placer.place(item, _hash_split)})
            out[item.split].append(item)
        print(f"{raw.name}: {len(items)} items, {bad} rejected")
    if args.train_dev:
        for split, items in out.items():
            write_jsonl(ANNOTATIONS_DIR / f"questions_{split}.jsonl", items)
            kinds = {k: sum(i.type == k for i in items) for k in ("answerable", "no_basis", "ambiguous")}
            print(f"{split}: {len(items)} {kinds}")
    blind: list[AnnotatedQuestion] = []
    for raw in args.blind:
        items, bad = convert(raw, clauses, lambda *a: "blind", raw.stem, args.nd_prompt, args.qa_prompt)
        blind.extend(items)
        print(f"{raw.name}: {len(items)} items, {bad} rejected (content not shown: blind)")
    if args.blind:
        write_jsonl(ANNOTATIONS_DIR / "blind" / f"{args.blind_name}.jsonl", blind)
        kinds = {k: sum(i.type == k for i in blind) for k in ("answerable", "no_basis", "ambiguous")}
        print(f"blind: {len(blind)} {kinds}")


if __name__ == "__main__":
    main()
