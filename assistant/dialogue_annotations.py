"""Annotated dialogue data: labelled utterances and multi-turn conversations (issue 10).

Written by an annotator (a helper session, `author`) who saw only the policy documents and the
prompt `knowledge_base/annotations/prompts/<prompt>.md` — never the code. The intent classifier is
trained on the `train` split, tuned and reported on `dev`; `blind` files are written by separate
annotators and read only by `medpolicy eval conversations --split blind`.

The annotators' slot names are kept as written (`AnnotatedSlots`); `project_slots` maps them onto the
NLU's `Slots` where the two correspond, so a scorer compares like with like.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ANNOTATIONS_DIR = Path(__file__).resolve().parent / "annotations"
# The blind round is placed by the lead; its files are only ever opened by the blind evaluation.
BLIND_DIRS = (ANNOTATIONS_DIR / "blind", Path(__file__).resolve().parent.parent / "knowledge_base" / "annotations" / "blind")
Split = Literal["train", "dev", "blind"]
AnnotatedIntent = Literal["policy_question", "estimate", "contribution", "statement", "correction", "greeting",
                          "thanks", "human", "reset", "out_of_scope"]
DEV_BUCKET = 0  # one hash bucket of five is dev (80/20)


class AnnotatedSlots(BaseModel):
    """The facts one utterance states, in the annotation schema (prompt dialogue-v1)."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = None
    scheme: Literal["职工", "城镇居民", "城乡居民", "新农合"] | None = None
    tier: Literal[1, 2] | None = None
    contribution_amount: Decimal | None = None
    age: int | None = Field(default=None, ge=0, le=120)
    person_category: Literal["adult", "student", "child", "elderly", "newborn"] | None = None
    retired: bool | None = None
    poverty: bool | None = None
    hospital_level: Literal[1, 2, 3] | None = None
    out_of_area: bool | None = None
    referral: bool | None = None
    major_disease: bool | None = None
    disease: str | None = None
    amount: Decimal | None = None
    uncovered_amount: Decimal | None = None
    ytd_reimbursed: Decimal | None = None
    admission_index: int | None = Field(default=None, ge=1)
    chronic_disease_count: int | None = Field(default=None, ge=1)
    local_avg_wage: Decimal | None = None
    wage: Decimal | None = None
    service: Literal["inpatient", "general_outpatient", "chronic_outpatient", "major_disease_outpatient",
                     "maternity"] | None = None
    year: int | None = None
    topic: str | None = None

    @field_validator("contribution_amount", "amount", "uncovered_amount", "ytd_reimbursed", "local_avg_wage",
                     "wage", mode="before")
    @classmethod
    def _money_as_text(cls, value: Any) -> Any:
        """Money arrives as digit strings; a float would lose the exact figure, so it is refused."""
        if isinstance(value, float):
            raise ValueError("金额须写成数字字符串")
        return value

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


# Annotator slot -> NLU `Slots` field, where the two mean the same thing. The others (topic wording
# differs between annotators and the lexicon) are facts the dialogue state keeps but a scorer skips.
_SAME_NAME = ("region", "scheme", "tier", "age", "retired", "poverty", "hospital_level", "out_of_area", "referral",
              "major_disease", "amount", "uncovered_amount", "ytd_reimbursed", "admission_index",
              "chronic_disease_count", "local_avg_wage", "wage", "service", "year", "contribution_amount")
# Every NLU slot an annotated utterance can be scored on.
SHARED_SLOTS = frozenset((*_SAME_NAME, "person_category"))
# The calculators know pre-school children as `child`; a newborn is one.
_CATEGORY = {"newborn": "child"}


def project_slots(slots: AnnotatedSlots | dict[str, Any]) -> dict[str, Any]:
    """The annotated facts under the project's slot names and values (JSON-safe)."""
    data = slots.given() if isinstance(slots, AnnotatedSlots) else AnnotatedSlots.model_validate(slots).given()
    out: dict[str, Any] = {}
    for name in _SAME_NAME:
        if name in data:
            value = data[name]
            out[name] = str(value) if isinstance(value, Decimal) else value
    if "person_category" in data:
        out["person_category"] = _CATEGORY.get(data["person_category"], data["person_category"])
    return out


class AnnotatedUtterance(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    split: Split
    author: str
    prompt: str
    text: str
    intent: AnnotatedIntent
    followup: bool = False
    slots: AnnotatedSlots = Field(default_factory=AnnotatedSlots)
    who: Literal["c", "o", "f"] = "c"
    registers: list[str] = Field(default_factory=list, alias="register")
    retired_from: str | None = None  # "blind round-N": written for a blind round, reused once it was read
    # Why the team changed the annotator's label (two annotators labelled the same words apart): the
    # original label and the reason, kept with the item. None = the annotator's label as written.
    adjudication: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> AnnotatedUtterance:
        if not self.text.strip():
            raise ValueError(f"{self.id}: 空的话语")
        return self


class TurnExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intent: AnnotatedIntent | None = None
    remembers: AnnotatedSlots = Field(default_factory=AnnotatedSlots)
    clarify: str | None = None  # the slot the assistant should ask for on this turn
    figure: str | None = None  # the key number the answer must contain ("8640元")
    answer_has: list[str] = Field(default_factory=list)
    cites: list[str] = Field(default_factory=list)  # verbatim clause snippets a citation must hold
    reasoning: str | None = None  # the hand computation behind `figure`

    @field_validator("clarify", mode="before")
    @classmethod
    def _first_slot_asked(cls, value: object) -> object:
        """Annotators sometimes list every slot still open (["region", "tier"]); the assistant asks
        one question at a time, so the first one listed is this turn's question."""
        if isinstance(value, list):
            return value[0] if value else None
        return value


class ConversationTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    say: str
    expect: TurnExpectation = Field(default_factory=TurnExpectation)


class AnnotatedConversation(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    split: Split
    author: str
    prompt: str
    turns: list[ConversationTurn]
    who: Literal["c", "o", "f"] = "c"
    registers: list[str] = Field(default_factory=list, alias="register")
    retired_from: str | None = None  # "blind round-N": written for a blind round, reused once it was read

    @model_validator(mode="after")
    def _shape(self) -> AnnotatedConversation:
        if len(self.turns) < 2:
            raise ValueError(f"{self.id}: 对话至少需要两轮")
        if any(not t.say.strip() for t in self.turns):
            raise ValueError(f"{self.id}: 有一轮用户话语为空")
        return self


Kind = Literal["utterances", "conversations"]
_MODELS: dict[str, type[BaseModel]] = {"utterances": AnnotatedUtterance, "conversations": AnnotatedConversation}


def split_of(key: str) -> Split:
    """Stable 80/20 split by a hash of the item's key (an utterance's text, a conversation's id), so
    re-importing a grown file never moves an item between train and dev."""
    bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 5
    return "dev" if bucket == DEV_BUCKET else "train"


def read_jsonl(path: Path, kind: Kind, defaults: dict[str, Any] | None = None) -> list[Any]:
    """Validate every line; a bad line is reported by file and line number, in Chinese.
    `defaults` fill fields a raw annotator file lacks (split, author, prompt; id from the line)."""
    model = _MODELS[kind]
    items = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                data = json.loads(line)
                if defaults:
                    data = {**defaults, "id": f"{Path(path).stem}-{n:04d}", **data}
                items.append(model.model_validate(data))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: 标注格式错误：{exc}") from None
    return items


def write_jsonl(path: Path, items: Iterable[BaseModel]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item.model_dump(mode="json", exclude_none=True, by_alias=True),
                                ensure_ascii=False) + "\n")
    tmp.replace(path)


def split_path(kind: Kind, split: str, root: Path = ANNOTATIONS_DIR) -> Path:
    return root / f"dialogue_{kind}_{split}.jsonl"


def load_split(kind: Kind, split: str, root: Path = ANNOTATIONS_DIR) -> list[Any]:
    """Every item of one split; `blind` reads the lead's blind round (missing = empty)."""
    if split not in ("train", "dev", "blind"):
        raise ValueError(f"未知的数据划分 {split!r}：可用 train、dev、blind")
    if split != "blind":
        path = split_path(kind, split, root)
        return read_jsonl(path, kind) if path.exists() else []
    items: list[Any] = []
    short = "utt" if kind == "utterances" else "conv"
    for folder in BLIND_DIRS:
        if folder.is_dir():
            for path in sorted(folder.glob("dialogue*.jsonl")):
                if kind in path.name or f"_{short}" in path.name or f"-{short}" in path.name:
                    items.extend(read_jsonl(path, kind, {"split": "blind", "author": "blind", "prompt": "dialogue-v1"}))
    return items
