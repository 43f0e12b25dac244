"""Turn retired blind rounds into training data.

A blind round whose figures were read is retired: it no longer measures anything unseen, but its
questions were written by annotators nobody tuned against, so they are the most varied phrasings the
project has. This script moves every retired round (answers and dialogue) into the train and dev
files, keeping each item's author and prompt and recording the round it came from, then deletes the
retired files (the items live on, with provenance, in train/dev).

The blind split must stay at least 20 % of all answerable pairs (`test_annotated_data_meets_the_issue_sizes`),
and every answerable item moved here raises what the next blind round must hold. So answerable items join
only up to what the current blind split allows (and at most `--answerable-limit`), in a fixed hash order;
the rest stay in the retired file for a later release. Near-domain and ambiguous items and all dialogue
data always join: they are the scarce classes. (The judge samples its training questions, so answerable
items beyond a few tens of thousands add phrasings, not signal it lacks.)

Dev keeps measuring new clauses: an answerable item goes where an existing item quotes the same
sentence (train first), else to train when one of its gold clauses is the gold clause of an existing
train item (checked before dev: a quote may resolve to several clauses, and a dev item whose clause
training has seen measures memory), to dev when it is a dev item's clause, and
otherwise by the same hash rule the importers use (`split_of`, of the clause's chunk id); near-domain and
ambiguous items, utterances and conversations by a hash of their text or id.

Usage: python scripts/reuse_retired_blind.py [ROUND_FILE ...]   (default: everything in blind/retired/)
Needs a built knowledge base (`medpolicy ingest`) to resolve gold quotes to clauses.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.dialogue_annotations import ANNOTATIONS_DIR as DIALOGUE_DIR  # noqa: E402
from assistant.dialogue_annotations import read_jsonl as read_dialogue  # noqa: E402
from assistant.dialogue_annotations import split_of, split_path  # noqa: E402
from assistant.dialogue_annotations import write_jsonl as write_dialogue  # noqa: E402
from knowledge_base.learned.annotations import (  # noqa: E402
    ANNOTATIONS_DIR,
    AnnotatedQuestion,
    SplitPlacer,
    load_split,
    read_jsonl,
    write_jsonl,
)

# Who wrote each dialogue round (the raw blind files carry no author field).
DIALOGUE_AUTHORS = {"round-1": "N2", "round-2": "N3", "round-3": "N4", "round-4": "N8+N9", "round-5": "N12+N13",
                    "round-6": "N14+N15", "round-7": "N18+N19", "round-8": "N22+N23",
                    "round-9": "N24+N25", "round-10": "N26+N27",
                    "round-11": "N28+N29", "round-12": "N30+N31",
                    "round-13": "N32+N33+N34+N35", "round-13-read": "N32+N33", "round-14": "N36+N37", "round-15": "N38+N39", "round-16": "N40+N41", "round-17": "N42+N43", "round-18": "N44+N45", "round-19": "N46+N47", "round-20": "N48+N49", "round-21": "N50+N51", "round-22": "N52+N53", "round-23": "N54+N55", "round-24": "N56+N57", "round-25": "N58+N59", "round-26": "N60+N61", "round-27": "N62+N63", "round-28": "N64+N65"}


def _clauses() -> list:
    from knowledge_base.config import KBSettings
    from knowledge_base.ingest.store import ClauseStore

    return ClauseStore(KBSettings().store_dir).load().clauses


def answerable_room(limit: int | None) -> int:
    """How many answerable items may join train/dev while the current blind split stays ≥ 20 %."""
    blind = sum(i.type == "answerable" for i in load_split("blind"))
    used = sum(i.type == "answerable" for i in load_split("train") + load_split("dev"))
    room = max(0, 4 * blind - used)
    return room if limit is None else min(room, limit)


def _hash_order(item: AnnotatedQuestion) -> str:
    return hashlib.sha1(item.id.encode("utf-8")).hexdigest()


def reuse_answers(paths: list[Path], limit: int | None = None) -> None:
    train, dev = load_split("train"), load_split("dev")
    placer = SplitPlacer(_clauses(), train, dev)
    seen = {item.id for item in train + dev}
    room = answerable_room(limit)
    print(f"answerable items that may join: {room:,}")
    for path in paths:
        round_name = path.stem
        moved = {"train": 0, "dev": 0}
        items = read_jsonl(path)
        answerable = sorted((i for i in items if i.type == "answerable"), key=_hash_order)
        joining = {i.id for i in answerable[:room]}
        room -= len(joining)
        kept = [i for i in items if i.type == "answerable" and i.id not in joining]
        for item in items:
            if item.id in seen:
                raise SystemExit(f"{path.name}: {item.id} is already in train/dev (reused twice?)")
            if item.type == "answerable" and item.id not in joining:
                continue
            if item.type == "answerable":
                split = placer.place(item, split_of)
            else:
                split = split_of(item.question)
            new = AnnotatedQuestion.model_validate(
                {**item.model_dump(by_alias=True), "split": split, "retired_from": f"blind {round_name}"})
            (dev if split == "dev" else train).append(new)
            moved[split] += 1
        print(f"{path.name}: {moved}; {len(kept):,} answerable stay retired")
        if kept:
            write_jsonl(path, kept)
        else:
            path.unlink()
    write_jsonl(ANNOTATIONS_DIR / "questions_train.jsonl", train)
    write_jsonl(ANNOTATIONS_DIR / "questions_dev.jsonl", dev)


def reuse_dialogue(paths: list[Path]) -> None:
    for kind, short in (("utterances", "utt"), ("conversations", "conv")):
        data = {s: read_dialogue(split_path(kind, s), kind) if split_path(kind, s).exists() else []
                for s in ("train", "dev")}
        seen = {item.id for items in data.values() for item in items}
        for path in paths:
            if not path.stem.endswith(f"-{short}"):
                continue
            round_name = path.stem.removeprefix("dialogue-").removesuffix(f"-{short}")
            author = DIALOGUE_AUTHORS.get(round_name, round_name)
            raw = read_dialogue(path, kind, {"split": "train", "author": author, "prompt": "dialogue-v1"})
            moved = {"train": 0, "dev": 0}
            for n, item in enumerate(raw, start=1):
                item_id = f"{author}-{short}-{n:03d}"
                if item_id in seen:
                    raise SystemExit(f"{path.name}: {item_id} is already in train/dev (reused twice?)")
                key = item.text if kind == "utterances" else item_id
                split = split_of(key)
                new = type(item).model_validate({**item.model_dump(by_alias=True), "id": item_id, "split": split,
                                                 "author": author, "retired_from": f"blind {round_name}"})
                data[split].append(new)
                moved[split] += 1
            print(f"{path.name}: {moved}")
        for s, items in data.items():
            write_dialogue(split_path(kind, s), items)
    for path in paths:
        path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--answerable-limit", type=int, default=None,
                    help="join at most this many answerable items (default: as many as the blind split allows)")
    args = ap.parse_args()
    files = args.files or sorted((ANNOTATIONS_DIR / "blind" / "retired").glob("round-*.jsonl")) + sorted(
        (DIALOGUE_DIR / "blind" / "retired").glob("dialogue-round-*.jsonl"))
    answers = [f for f in files if not f.name.startswith("dialogue")]
    dialogue = [f for f in files if f.name.startswith("dialogue")]
    if answers:
        reuse_answers(answers, args.answerable_limit)
    if dialogue:
        reuse_dialogue(dialogue)


if __name__ == "__main__":
    main()
