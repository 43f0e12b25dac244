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

from calculators.models import Breakdown, EstimateResult, PayerShare, Step

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


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
    _set(obj, "__dict__", data)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
