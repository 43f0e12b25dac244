"""Add relevance judgments to the annotated questions: a clause a judge rated "yes" (it answers
the question) joins the item's gold, marked `origin: judge:<name>`; "partial" and "no" change
nothing. The judges saw each question beside clauses the system had ranked high that were not its
author's gold (pooling, as in TREC): a single author's gold misses the other clauses that answer.

Usage: python scripts/import_judgments.py PAIRS_META.jsonl VERDICTS.jsonl...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge_base.learned.annotations import ANNOTATIONS_DIR, GoldRef, read_jsonl, write_jsonl  # noqa: E402


def main() -> None:
    meta = {}
    for line in Path(sys.argv[1]).read_text("utf-8").splitlines():
        row = json.loads(line)
        meta[row["pair_id"]] = row
    yes: dict[str, list[GoldRef]] = {}
    counts: dict[str, int] = {}
    for path in map(Path, sys.argv[2:]):
        judge = path.stem.split("_")[-1]
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            verdict = row.get("verdict")
            counts[verdict] = counts.get(verdict, 0) + 1
            pair = meta.get(row.get("pair_id"))
            if verdict != "yes" or pair is None:
                continue
            item_id = pair["pair_id"].split("|")[0]
            yes.setdefault(item_id, []).append(
                GoldRef(file=pair["_file"], quote=pair["text"].strip()[:40], origin=f"judge:{judge}"))
    print("verdicts:", counts)
    for split in ("train", "dev"):
        path = ANNOTATIONS_DIR / f"questions_{split}.jsonl"
        items = read_jsonl(path)
        added = 0
        for item in items:
            for ref in yes.get(item.id, []):
                if all((g.file, g.quote) != (ref.file, ref.quote) for g in item.gold):
                    item.gold.append(ref)
                    added += 1
        write_jsonl(path, items)
        print(f"{split}: {added} judged gold clauses added")


if __name__ == "__main__":
    main()
