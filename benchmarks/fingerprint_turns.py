"""Fingerprint what a lookup turn computes, to prove a speed change changed no answer.

    python benchmarks/fingerprint_turns.py OUT.pkl            # record (before and after a change)
    python benchmarks/fingerprint_turns.py --compare A.pkl B.pkl

For every dev question and every fifth train question: the learned ranker's candidates and their
feature matrix (bytes), the search response (JSON: order, scores, decision, highlights), the
sentence-chooser rows of the first candidates; for every dev question the assistant's whole reply
(without the session id). `--compare` prints how many differ per part (0 everywhere = identical).
Uses the knowledge base of MEDPOLICY_DATA_DIR as served (learned judge on).
"""

from __future__ import annotations

import argparse
import pickle
import sys


def record(path: str) -> None:
    from api.cli.learn_commands import _assistant_for, _kb
    from knowledge_base.learned.annotations import load_split
    from knowledge_base.learned.features import candidate_features
    from knowledge_base.learned.sentences import clause_sentences, sentence_matrix

    kb = _kb()
    assistant = _assistant_for(kb)
    searcher = kb.searcher
    dev = [i.question for i in load_split("dev")]
    train = [i.question for i in load_split("train")][::5]
    out: dict[str, dict] = {"features": {}, "search": {}, "reply": {}, "sentences": {}}
    for q in dev + train:
        cands = candidate_features(searcher, q)
        out["features"][q] = (list(cands.indices), cands.matrix.tobytes(), cands.matrix.shape, cands.topic)
        out["search"][q] = kb.search(q, top_k=8).model_dump_json()
        cs = searcher.query_concepts(q)
        out["sentences"][q] = [(s, sentence_matrix(q, s, cs).tobytes())
                               for s in (clause_sentences(searcher.clauses[i].text) for i in cands.indices[:6])]
    for q in dev:
        reply = assistant.ask(q).model_dump(mode="json")
        reply.pop("session_id", None)
        out["reply"][q] = reply
    with open(path, "wb") as f:
        pickle.dump(out, f)
    print(f"{len(out['features'])} questions recorded in {path}")


def compare(a_path: str, b_path: str) -> int:
    with open(a_path, "rb") as f:
        a = pickle.load(f)
    with open(b_path, "rb") as f:
        b = pickle.load(f)
    differ = 0
    for part, items in a.items():
        changed = [q for q in items if items[q] != b[part].get(q)]
        differ += len(changed)
        print(f"{part}: {len(items)} questions, {len(changed)} differ", *changed[:5], sep="\n  " if changed else " ")
    return 1 if differ else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.paths))
    record(args.paths[0])


if __name__ == "__main__":
    main()
