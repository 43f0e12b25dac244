"""Turn an annotator's raw dialogue files (prompt dialogue-v1) into the project's annotation files.

Usage: python scripts/import_dialogue_annotations.py --author N1 UTTERANCES.jsonl CONVERSATIONS.jsonl
Every line is validated by the schema in `assistant/dialogue_annotations.py` (a bad line stops the
import, named by file and line); items get an id, `author`, `prompt: dialogue-v1` and a split by a
stable hash (utterances by text, conversations by id), so re-importing a grown file keeps every
earlier item where it was. Writes assistant/annotations/dialogue_{utterances,conversations}_{train,dev}.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.dialogue_annotations import (  # noqa: E402
    ANNOTATIONS_DIR,
    AnnotatedConversation,
    AnnotatedUtterance,
    read_jsonl,
    split_of,
    split_path,
    write_jsonl,
)

PROMPT = "dialogue-v1"


def _lines(path: Path) -> list[tuple[int, dict]]:
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                data = json.loads(line)
                if data == {"done": True}:  # the annotator's end-of-file marker
                    continue
                out.append((n, data))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: 不是合法的 JSON：{exc}") from None
    return out


def _existing(kind: str, split: str, root: Path) -> list:
    path = split_path(kind, split, root)  # type: ignore[arg-type]
    return read_jsonl(path, kind) if path.exists() else []  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("utterances", type=Path)
    parser.add_argument("conversations", type=Path)
    parser.add_argument("--author", required=True)
    parser.add_argument("--out", type=Path, default=ANNOTATIONS_DIR)
    args = parser.parse_args(argv)

    utterances = {"train": [], "dev": []}
    for n, raw in _lines(args.utterances):
        item = {**raw, "id": f"{args.author}-utt-{n:04d}", "author": args.author, "prompt": PROMPT,
                "split": split_of(raw.get("text", ""))}
        try:
            utterances[item["split"]].append(AnnotatedUtterance.model_validate(item))
        except ValueError as exc:
            raise SystemExit(f"{args.utterances}:{n}: {exc}") from None
    conversations = {"train": [], "dev": []}
    for n, raw in _lines(args.conversations):
        cid = raw.get("id") or f"{args.author}-conv-{n:03d}"
        item = {**raw, "id": cid, "author": args.author, "prompt": PROMPT, "split": split_of(cid)}
        try:
            conversations[item["split"]].append(AnnotatedConversation.model_validate(item))
        except ValueError as exc:
            raise SystemExit(f"{args.conversations}:{n}: {exc}") from None
    for split in ("train", "dev"):
        # Other authors' items stay; this author's are replaced (a grown file re-imports cleanly).
        kept_u = [u for u in _existing("utterances", split, args.out) if u.author != args.author]
        kept_c = [c for c in _existing("conversations", split, args.out) if c.author != args.author]
        write_jsonl(split_path("utterances", split, args.out), kept_u + utterances[split])
        write_jsonl(split_path("conversations", split, args.out), kept_c + conversations[split])
        print(f"{split}: {len(utterances[split])} utterances, {len(conversations[split])} conversations by "
              f"{args.author} (+{len(kept_u)} utterances, {len(kept_c)} conversations by other authors kept)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
