"""Print the ingested hierarchy for eyeballing: `python -m knowledge_base.ingest.show_hierarchy [DIR…]`.

One line per clause: sources, region/year/scheme/kind, heading path, the start of the text.
Use it after changing a cleaning or segmentation rule to see what the corpus turns into.
"""

from __future__ import annotations

import sys
from pathlib import Path

from knowledge_base.ingest.pipeline import build_clauses


def main(argv: list[str]) -> int:
    result = build_clauses([Path(a) for a in argv] or None)
    for doc in result.documents:
        print(f"# {doc.file}: {doc.title} ({doc.encoding}, {doc.articles} articles, {doc.clauses} clauses)")
    for err in result.errors:
        print(f"! {err.file}: {err.reason}")
    for c in result.clauses:
        src = ",".join(f"{s.file}:{s.line}" for s in c.sources)
        meta = f"{c.region or '-'}/{c.year or '-'}/{c.scheme or '-'}/{c.kind}"
        text = c.text.replace("\n", " ⏎ ")
        print(f"{src}\t{meta}\t{c.citation}\t{text[:80]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
