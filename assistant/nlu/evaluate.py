"""Accuracy of the NLU on the labelled set (tests/assistant/data/nlu_cases.yaml).

`run(path) -> EvalReport`: intent accuracy, slot accuracy (overall and per slot), follow-up flag
accuracy, exact match per utterance, and the list of failures — separately for the development
cases, the held-out block, and both together. `python -m assistant.nlu.evaluate [PATH] [--json]`.

Slot accuracy is counted over every (utterance, slot) pair where the label or the prediction is
not empty, so a wrongly *added* slot counts against the score as much as a missed one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, Field, computed_field

from assistant.models import Intent
from assistant.nlu.models import Slots
from assistant.nlu.parse import parse

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "tests" / "assistant" / "data" / "nlu_cases.yaml"
SLOT_NAMES: tuple[str, ...] = tuple(Slots.model_fields)
# Refinements added after most cases were labelled (out_of_city refines out_of_area, care_place the
# region, household_members the one-person slots of a message naming several people, injury the papers
# a rule set asks for): scored only in cases that label them, so an older case that never considered
# the refinement is not miscounted.
SCORED_WHEN_LABELLED: frozenset[str] = frozenset({"out_of_city", "care_place", "household_members", "injury"})
INTENTS: tuple[str, ...] = get_args(Intent)


class CaseError(ValueError):
    """A labelled case is malformed (unknown slot or intent)."""


def _ratio(part: int, whole: int) -> float:
    """A share, 1.0 for an empty block (nothing to get wrong)."""
    return part / whole if whole else 1.0


class SlotStat(BaseModel):
    total: int = 0
    correct: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float:
        return _ratio(self.correct, self.total)


class Failure(BaseModel):
    block: str
    text: str
    expected_intent: str
    got_intent: str
    expected_followup: bool
    got_followup: bool
    slot_errors: dict[str, dict[str, Any]] = Field(default_factory=dict)  # slot -> {expected, got}


class BlockReport(BaseModel):
    name: str
    n: int = 0
    intent_correct: int = 0
    # Intent as the dialogue uses it (`run_annotated` only; equals `intent_correct` elsewhere): see
    # `_inherits_intent`.
    intent_in_dialogue_correct: int = 0
    followup_correct: int = 0
    exact: int = 0
    per_slot: dict[str, SlotStat] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def intent_accuracy(self) -> float:
        return _ratio(self.intent_correct, self.n)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def intent_accuracy_in_dialogue(self) -> float:
        return _ratio(self.intent_in_dialogue_correct, self.n)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def followup_accuracy(self) -> float:
        return _ratio(self.followup_correct, self.n)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exact_match(self) -> float:
        return _ratio(self.exact, self.n)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def slot_accuracy(self) -> float:
        return _ratio(sum(s.correct for s in self.per_slot.values()), sum(s.total for s in self.per_slot.values()))

    def summary(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "intent_accuracy": round(self.intent_accuracy, 4),
            "intent_accuracy_in_dialogue": round(self.intent_accuracy_in_dialogue, 4),
            "slot_accuracy": round(self.slot_accuracy, 4),
            "followup_accuracy": round(self.followup_accuracy, 4),
            "exact_match": round(self.exact_match, 4),
            "per_slot": {k: {"total": v.total, "correct": v.correct, "accuracy": round(v.accuracy, 4)}
                         for k, v in sorted(self.per_slot.items())},
            "failures": [f.model_dump() for f in self.failures],
        }


class EvalReport(BaseModel):
    path: str
    dev: BlockReport  # the `cases` block, used while writing the rules
    heldout: BlockReport  # every `heldout*` block together
    all: BlockReport
    blocks: dict[str, BlockReport] = Field(default_factory=dict)  # each file block on its own

    def __str__(self) -> str:
        return format_report(self)

    def summary(self) -> dict[str, Any]:
        return {"path": self.path, "dev": self.dev.summary(), "heldout": self.heldout.summary(),
                "all": self.all.summary(), "blocks": {k: v.summary() for k, v in self.blocks.items()}}


def _same(slot: str, expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(got, Decimal):
        return Decimal(str(expected)) == got
    return expected == got


def _check_case(case: dict[str, Any], where: str) -> None:
    if "text" not in case or "intent" not in case:
        raise CaseError(f"{where}: 每个用例需要 text 和 intent")
    if case["intent"] not in INTENTS:
        raise CaseError(f"{where}: 未知意图 {case['intent']!r}")
    unknown = set(case.get("slots") or {}) - set(SLOT_NAMES)
    if unknown:
        raise CaseError(f"{where}: 未知槽位 {sorted(unknown)}")


def _region_within(expected: Any, got: Any) -> bool:
    """The annotators name the insured region as its rule set does ("重庆渝北的" → 重庆); the NLU
    keeps the finest place of the same address (渝北区), which lies inside it. Both identify one
    region, so the annotated scorer counts a reading inside the labelled region as right, and a
    name with or without its administrative suffix as the same place (武汉 = 武汉市, 黑龙江 = 黑龙江省)."""
    from knowledge_base.lexicon import place_gazetteer

    if not isinstance(expected, str) or not isinstance(got, str):
        return False
    gz = place_gazetteer()
    bare = lambda name: name[:-1] if len(name) > 2 and name[-1] in "省市区县" else name  # noqa: E731  武汉市 = 武汉
    return bare(gz.canonical(expected)) in {bare(p) for p in (gz.canonical(got), *gz.ancestors(got))}


def annotated_known_regions() -> list[str]:
    """The regions the assistant passes to `parse`: the labelled set's library regions and every
    rule set's region (`Assistant.known_regions` adds the same), so "湖北" reads as the 湖北 rule set."""
    from calculators.registry import load_policies

    known = list(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")).get("known_regions") or [])
    return list(dict.fromkeys([*known, *(p.region for p in load_policies().values())]))


def _inherits_intent(case: dict[str, Any], u: Any) -> bool:
    """An annotated follow-up ("那学生娃呢") is labelled with the intent of the turn it follows, which
    the utterance file does not record (an utterance has no previous turn). The dialogue answers such
    a message under the previous turn's intent whatever the NLU's own guess, when the NLU flags it a
    follow-up and it changes a slot (`dialogue.is_follow_up`); its label is then met by the dialogue,
    and nothing in the text alone could tell contribution from policy_question."""
    from assistant.dialogue import SUBSTANTIVE, new_slots

    return (bool(case.get("followup")) and case["intent"] in SUBSTANTIVE and u.is_followup
            and bool(new_slots(u)))


def _score(block: BlockReport, name: str, case: dict[str, Any], known_regions: list[str],
           scored: frozenset[str] | None = None, region_within: bool = False, in_dialogue: bool = False) -> None:
    u = parse(case["text"], known_regions)
    expected = case.get("slots") or {}
    exp_followup = bool(case.get("followup", False))
    block.n += 1
    intent_ok = u.intent == case["intent"]
    followup_ok = u.is_followup == exp_followup
    block.intent_correct += intent_ok
    block.intent_in_dialogue_correct += intent_ok or (in_dialogue and _inherits_intent(case, u))
    block.followup_correct += followup_ok
    errors: dict[str, dict[str, Any]] = {}
    for slot in SLOT_NAMES if scored is None else [n for n in SLOT_NAMES if n in scored]:
        exp, got = expected.get(slot), getattr(u.slots, slot)
        if (exp is None and got is None) or (slot in SCORED_WHEN_LABELLED and slot not in expected):
            continue
        stat = block.per_slot.setdefault(slot, SlotStat())
        stat.total += 1
        if _same(slot, exp, got) or (region_within and slot == "region" and _region_within(exp, got)):
            stat.correct += 1
        else:
            errors[slot] = {"expected": exp, "got": str(got) if isinstance(got, Decimal) else got}
    if intent_ok and followup_ok and not errors:
        block.exact += 1
    else:
        block.failures.append(Failure(block=name, text=case["text"], expected_intent=case["intent"],
                                      got_intent=u.intent, expected_followup=exp_followup,
                                      got_followup=u.is_followup, slot_errors=errors))


def run(path: str | Path = DEFAULT_PATH) -> EvalReport:
    """Parse every labelled utterance in `path` and score it against its labels."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    known = list(data.get("known_regions") or [])
    dev, heldout, combined = BlockReport(name="dev"), BlockReport(name="heldout*"), BlockReport(name="all")
    blocks: dict[str, BlockReport] = {}
    for key, cases in data.items():
        if key != "cases" and not key.startswith("heldout"):
            continue
        name = "dev" if key == "cases" else key
        block = blocks.setdefault(name, BlockReport(name=name))
        for i, case in enumerate(cases or []):
            _check_case(case, f"{key}[{i}]")
            for target in (block, combined) + ((heldout,) if name != "dev" else ()):
                _score(target, name, case, known)
    return EvalReport(path=str(path), dev=blocks.get("dev", dev), heldout=heldout, all=combined, blocks=blocks)


def run_annotated(split: str = "dev", region_within: bool = True) -> BlockReport:
    """The annotators' utterances of one split (`assistant/annotations/`), scored like the labelled
    set but only on the slots the annotation schema shares with `Slots` (`project_slots`): the
    annotators never label amount_scope, out_of_city or the topic's wording. `dev` is never fitted.
    `intent_accuracy` compares the NLU's own intent with every label; `intent_accuracy_in_dialogue`
    also counts a follow-up the dialogue answers under the previous turn's intent (`_inherits_intent`).
    `region_within=False` is the strict scorer of release 2 (the finer place of the address is wrong)."""
    from assistant.dialogue_annotations import SHARED_SLOTS, load_split, project_slots

    known = annotated_known_regions()
    block = BlockReport(name=split)
    for u in load_split("utterances", split):
        case = {"text": u.text, "intent": u.intent, "followup": u.followup, "slots": project_slots(u.slots)}
        _score(block, split, case, known, SHARED_SLOTS, region_within, in_dialogue=True)
    return block


def format_report(report: EvalReport) -> str:
    lines = [f"NLU evaluation: {report.path}", ""]
    lines.append(f"{'block':10} {'n':>4} {'intent':>8} {'slots':>8} {'followup':>9} {'exact':>8}")
    rows = [report.dev, *(v for k, v in report.blocks.items() if k != "dev")]
    if len(rows) > 2:
        rows.append(report.heldout)
    for b in rows + [report.all]:
        lines.append(f"{b.name:10} {b.n:4d} {b.intent_accuracy:8.1%} {b.slot_accuracy:8.1%} "
                     f"{b.followup_accuracy:9.1%} {b.exact_match:8.1%}")
    lines += ["", "per slot (all):"]
    for slot, s in sorted(report.all.per_slot.items()):
        lines.append(f"  {slot:24} {s.correct:4d}/{s.total:<4d} {s.accuracy:7.1%}")
    lines += ["", f"failures ({len(report.all.failures)}):"]
    for f in report.all.failures:
        parts = []
        if f.expected_intent != f.got_intent:
            parts.append(f"intent {f.expected_intent}→{f.got_intent}")
        if f.expected_followup != f.got_followup:
            parts.append(f"followup {f.expected_followup}→{f.got_followup}")
        parts += [f"{k} {v['expected']}→{v['got']}" for k, v in f.slot_errors.items()]
        lines.append(f"  [{f.block}] {f.text}: " + "; ".join(parts))
    return "\n".join(lines)


def time_parse(path: str | Path = DEFAULT_PATH, repeats: int = 20) -> dict[str, float]:
    """Per-call latency of `parse` over every labelled utterance, after one warm-up pass (ms)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    known = list(data.get("known_regions") or [])
    texts = [c["text"] for k, v in data.items() if k == "cases" or k.startswith("heldout") for c in v or []]
    for t in texts:
        parse(t, known)
    samples = []
    for _ in range(repeats):
        for t in texts:
            start = time.perf_counter()
            parse(t, known)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    return {"calls": len(samples), "median_ms": round(pick(0.5), 3), "p95_ms": round(pick(0.95), 3),
            "p99_ms": round(pick(0.99), 3), "mean_ms": round(sum(samples) / len(samples), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.nlu.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    ap.add_argument("--timing", action="store_true", help="also time parse() over the labelled set")
    ap.add_argument("--split", choices=("train", "dev", "blind"), help="score the annotators' utterances of this split instead")
    args = ap.parse_args(argv)
    if args.split:
        block = run_annotated(args.split)
        print(json.dumps(block.summary(), ensure_ascii=False, indent=2))
        return 0
    try:
        report = run(args.path)
    except (OSError, CaseError, yaml.YAMLError) as exc:
        print(f"评测失败: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2) if args.json else format_report(report))
    if args.timing:
        print("\nparse() latency:", json.dumps(time_parse(args.path)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
