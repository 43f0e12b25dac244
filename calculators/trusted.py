"""Build result models from values the engine produced itself, without validating them again.

Requests are validated at the boundary (pydantic, calculators.validation). Everything in a result —
amounts formatted by `money.fmt`, labels and formulas built from them, sources compiled and
validated when the rule files were loaded — is made by the engine's own code, so running it through
pydantic's validator a second time only costs time: measured with instruction counts, validating
a trace step costs about 10k instructions against about 6k for `construct`, and the result's top
level about 40k against under 10k, together a fifth of an estimate (docs/BENCHMARKS.md).

`construct` does what `BaseModel.model_construct` does — set `__dict__` and the set of explicitly
given fields — minus its per-field Python loop, which costs more than validation. It is only for the
plain models named in `TRUSTED`, checked at import to have nothing validation would add
(validators, private attributes, extra fields, post-init hooks). Callers pass every field in
declaration order (that order is the JSON key order). tests/calculators/test_calc_fast_path.py
checks that each constructed result equals the fully validated one, field by field and in order.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from calculators.models import Breakdown, EstimateResult, PayerShare, Source, Step
# BaseModel's own slot setters, called directly (defined next to the models, which use them for the
# default `person`): `object.__setattr__(obj, name, value)` looks the name up through the MRO on
# every call, about a third of a construct by instruction count.
from calculators.models import _new, _set_dict, _set_extra, _set_fields, _set_private

M = TypeVar("M", bound=BaseModel)


def check_trustable(cls: type[BaseModel]) -> None:
    """Refuse a model for which skipping validation would skip real work."""
    decorators = cls.__pydantic_decorators__
    if (decorators.field_validators or decorators.model_validators or decorators.validators
            or decorators.field_serializers or decorators.model_serializers
            or cls.__private_attributes__ or cls.model_config.get("extra") == "allow"
            or cls.__pydantic_post_init__ or cls.__pydantic_root_model__):
        raise TypeError(f"{cls.__name__} has validators, private attributes or extras: validate it instead")


TRUSTED = (Step, PayerShare, Breakdown, EstimateResult)
for _cls in TRUSTED:
    check_trustable(_cls)


def construct(cls: type[M], data: dict, fields_set: set[str]) -> M:
    """An instance of `cls` holding `data` — every field, in declaration order, values of the
    declared types made by the engine — with `model_fields_set` = the fields the caller states
    (a fresh set: pydantic adds to it on assignment)."""
    obj = _new(cls)
    _set_dict(obj, data)
    _set_fields(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


# Trace steps are most of a result, so they get their own builders: the field dict is a copy of a
# template (cheaper than an 8-item literal) and the fields-set a copy of a prebuilt set.
_STEP_TEMPLATE = dict.fromkeys(Step.model_fields)
_STEP_PLAIN_SET = {"label", "formula", "amount", "payer"}
_STEP_SOURCED_SET = set(Step.model_fields)


def plain_step(label: str, formula: str, amount: str, payer: str | None = None) -> Step:
    """A trace line without a source (arithmetic on earlier lines)."""
    data = _STEP_TEMPLATE.copy()
    data["label"] = label
    data["formula"] = formula
    data["amount"] = amount
    data["payer"] = payer
    obj = _new(Step)
    _set_dict(obj, data)
    _set_fields(obj, _STEP_PLAIN_SET.copy())
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def sourced_step(label: str, formula: str, amount: str, payer: str | None, source: Source) -> Step:
    """A trace line citing its clause (flat copies of the source fields for renderers)."""
    obj = _new(Step)
    _set_dict(obj, {"label": label, "formula": formula, "amount": amount, "payer": payer, "source": source,
                    "chunk_id": source.chunk_id, "citation": source.citation, "quote": source.quote})
    _set_fields(obj, _STEP_SOURCED_SET.copy())
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj
