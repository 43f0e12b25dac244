"""Train the fuzzy-slot heads (`slot_model.py`) and measure how they generalise across authors.

Training data: the annotators' train split (each utterance's `author`) and the project's labelled
NLU set (`tests/assistant/data/nlu_cases.yaml`, author "project": every slot it does not list is
None, as its scorer reads it). The dev split is never fitted.

Generalisation is measured by author, not by random split: `--cross-author` trains on every author
but one and scores the one left out, with the rules alone and with the heads, on the fuzzy slots
(`FUZZY_SLOTS`, scored like `evaluate.run_annotated`: a slot counts where the label or the reading
has a value). A random split would put one annotator's habits on both sides.

Which slots the heads may change, and from what probability, is chosen per slot by leaving one
annotator out at a time (`choose`); a slot whose heads do not beat the rules on an unseen author is
left to the rules. The choice is recorded in the artefact (`meta["thresholds"]`).

`python -m assistant.nlu.slot_train [--check] [--cross-author] [--json]` (also run by
`medpolicy train-nlu`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from assistant.nlu import slot_model
from assistant.nlu.slot_model import FUZZY_SLOTS, NONE, label_of

C = 10.0
MIN_DF = 2
DIGITS = 5
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
# A head earns its slot only by a clear gain on unseen authors: at least this many fewer errors,
# and this share of the rules' errors (one or two items either way are noise at this size).
MIN_GAIN = 3
MIN_GAIN_SHARE = 0.1
NLU_CASES = Path(__file__).resolve().parents[2] / "tests" / "assistant" / "data" / "nlu_cases.yaml"


@dataclass(frozen=True)
class Example:
    text: str
    author: str
    labels: dict[str, str]  # fuzzy slot -> label (NONE when the message does not say)
    known_regions: tuple[str, ...] = ()


@dataclass
class Reading:
    """One example as the heads see it: prepared text, the rules' values, the feature tokens."""

    example: Example
    query: str
    values: dict[str, Any]
    protected: frozenset[str]
    tokens: list[str] = field(default_factory=list)


def _labels(slots: dict[str, Any]) -> dict[str, str]:
    return {s: label_of(slots.get(s)) for s in FUZZY_SLOTS}


def annotated_examples(split: str = "train") -> list[Example]:
    from assistant.dialogue_annotations import load_split, project_slots

    from assistant.nlu.evaluate import annotated_known_regions

    known = tuple(annotated_known_regions())  # what the assistant and `nlu-eval` pass to parse
    return [Example(u.text, u.author, _labels(project_slots(u.slots)), known) for u in load_split("utterances", split)]


def project_examples() -> list[Example]:
    if not NLU_CASES.exists():
        return []
    data = yaml.safe_load(NLU_CASES.read_text("utf-8"))
    regions = tuple(data.get("known_regions") or ())
    return [Example(c["text"], "project", _labels(c.get("slots") or {}), regions)
            for block, cases in data.items() if block == "cases" or block.startswith("heldout")
            for c in cases or []]


def training_examples() -> list[Example]:
    return annotated_examples("train") + project_examples()


def read(items: Sequence[Example]) -> list[Reading]:
    from assistant.nlu.parse import read_slots

    out = []
    for ex in items:
        query, values, protected = read_slots(ex.text, ex.known_regions)
        out.append(Reading(ex, query, values, protected, slot_model.features(query, values, slot_model.lexicon_tokens(query))))
    return out


def fingerprint(items: Sequence[Example]) -> str:
    data = json.dumps([(e.text, e.author, sorted(e.labels.items()), e.known_regions) for e in items], ensure_ascii=False)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


def fit(readings: Sequence[Reading], threshold: float = 0.5) -> dict[str, Any]:
    """The artefact's JSON for heads fitted on `readings`."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda toks: toks, sublinear_tf=True, min_df=MIN_DF)
    matrix = vectorizer.fit_transform([r.tokens for r in readings])
    heads = {}
    for slot in FUZZY_SLOTS:
        y = [r.example.labels[slot] for r in readings]
        if len(set(y)) < 2:
            continue
        model = LogisticRegression(C=C, max_iter=3000).fit(matrix, y)
        heads[slot] = {"classes": [str(c) for c in model.classes_],
                       "coef": [[round(float(w), DIGITS) for w in row] for row in model.coef_],
                       "intercept": [round(float(b), DIGITS) for b in model.intercept_]}
    return {"vocabulary": vectorizer.get_feature_names_out().tolist(),
            "idf": [round(float(v), DIGITS) for v in vectorizer.idf_],
            "heads": heads,
            "meta": {"threshold": threshold, "c": C, "min_df": MIN_DF, "slots": list(FUZZY_SLOTS)}}


@dataclass
class Score:
    total: int = 0
    correct: int = 0
    per_slot: dict[str, list[int]] = field(default_factory=dict)

    def add(self, slot: str, expected: str, got: str) -> None:
        if expected == NONE and got == NONE:
            return
        ok = expected == got
        self.total += 1
        self.correct += ok
        cell = self.per_slot.setdefault(slot, [0, 0])
        cell[0] += ok
        cell[1] += 1

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def summary(self) -> dict[str, Any]:
        return {"accuracy": round(self.accuracy, 4), "total": self.total,
                "per_slot": {k: f"{c}/{t}" for k, (c, t) in sorted(self.per_slot.items())}}


def score(model: slot_model.SlotModel | None, readings: Sequence[Reading], threshold: float | None = None) -> Score:
    """Fuzzy-slot accuracy of the rules (model None) or the rules revised by `model`."""
    result = Score()
    for r in readings:
        values = dict(r.values)
        if model is not None:
            for slot, (value, _) in model.revise(r.query, values, threshold, r.protected).items():
                values[slot] = value
        for slot in FUZZY_SLOTS:
            result.add(slot, r.example.labels[slot], label_of(values.get(slot)))
    return result


def choose(readings: Sequence[Reading]) -> tuple[dict[str, float], dict[str, Any]]:
    """Per slot, the override threshold that reads the held-out authors best, by leaving one
    annotator out at a time (the project's own set always stays in training). A slot whose heads do
    not clearly beat the rules on authors they never saw (`MIN_GAIN`) gets no threshold: the rules keep it alone.
    Returns ({slot: threshold}, the table behind it)."""
    authors = sorted({r.example.author for r in readings} - {"project"})
    wrong = {(s, t): 0 for s in FUZZY_SLOTS for t in (None, *THRESHOLDS)}
    for author in authors:
        held = [r for r in readings if r.example.author == author]
        model = slot_model.from_json(fit([r for r in readings if r.example.author != author]))
        for t in (None, *THRESHOLDS):
            result = score(None if t is None else model, held, t)
            for slot in FUZZY_SLOTS:
                correct, total = result.per_slot.get(slot, [0, 0])
                wrong[(slot, t)] += total - correct  # a missing value and a wrong one both count
    chosen: dict[str, float] = {}
    for slot in FUZZY_SLOTS:
        best = min(THRESHOLDS, key=lambda t: (wrong[(slot, t)], -t))
        if wrong[(slot, best)] <= wrong[(slot, None)] - max(MIN_GAIN, MIN_GAIN_SHARE * wrong[(slot, None)]):
            chosen[slot] = best
    table = {slot: {"rules": wrong[(slot, None)], **{str(t): wrong[(slot, t)] for t in THRESHOLDS}} for slot in FUZZY_SLOTS}
    return chosen, {"held_out_authors": authors, "wrong_per_slot": table}


def cross_author(readings: Sequence[Reading], threshold: float | None = None) -> dict[str, Any]:
    """Leave one author out: rules alone vs rules + heads trained on the other authors."""
    authors = sorted({r.example.author for r in readings})
    out: dict[str, Any] = {}
    for author in authors:
        held = [r for r in readings if r.example.author == author]
        rest = [r for r in readings if r.example.author != author]
        if not rest or len({r.example.author for r in rest}) < 1:
            continue
        model = slot_model.from_json(fit(rest))
        if threshold is None:  # the per-slot choice, made again without the held-out author
            chosen, _ = choose(rest)
            model = slot_model.SlotModel(model.vocabulary, model.idf,
                                         {k: v for k, v in model.heads.items() if k in chosen}, {"thresholds": chosen})
        out[author] = {"n": len(held), "rules": score(None, held).summary(),
                       "rules+heads": score(model, held, threshold).summary()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.nlu.slot_train", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=slot_model.ARTEFACT)
    ap.add_argument("--check", action="store_true", help="only report whether the artefact is current")
    ap.add_argument("--cross-author", action="store_true",
                    help="leave-one-author-out over train + dev utterances and the project set (nothing written)")
    args = ap.parse_args(argv)
    items = training_examples()
    if args.check:
        current = slot_model.load(args.out)
        fresh = current is not None and current.meta.get("fingerprint") == fingerprint(items)
        print("current" if fresh else "stale")
        return 0 if fresh else 1
    if args.cross_author:
        pooled = read(items + annotated_examples("dev"))
        print(json.dumps(cross_author(pooled), ensure_ascii=False, indent=2))
        return 0
    readings = read(items)
    thresholds, table = choose(readings)
    data = fit(readings)
    data["heads"] = {k: v for k, v in data["heads"].items() if k in thresholds}
    data["meta"].update({"thresholds": thresholds, "items": len(items), "fingerprint": fingerprint(items),
                         "leave_one_author_out": table, "authors": sorted({e.author for e in items})})
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    slot_model.load.cache_clear()
    print(f"slot heads on {len(items)} utterances, thresholds {thresholds} -> {args.out}\n"
          f"{json.dumps(table, ensure_ascii=False)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
