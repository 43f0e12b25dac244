"""Load policy rule files, check them, and compile them into lookup tables for the engine.

All checks that can be done without a request run here, once: every cell of every breakdown
present exactly once, units respected (ratios in [0, 1], caps positive or explicitly absent), every
parameter a service or modifier names defined, ratio bonuses never pushing a ratio above 1, and
modifier orders unambiguous. A file that fails is rejected with RuleFileError naming the file."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from calculators.errors import CalcError, RuleFileError
from calculators.models import PolicySummary, Source
from calculators.schema import ContributionSpec, Gap, ModifierSpec, RuleFile, RuleSource

POLICY_DIR = Path(__file__).parent / "policies"
KNOWN_DIMENSIONS = {"tier", "level", "retired", "contribution_group"}
CONDITION_KEYS = {
    "category", "poverty", "poverty_or_low_income", "out_of_area", "referral",
    "admission_index_min", "level_min", "major_disease", "out_of_city", "any",
}
REQUEST_FIELDS = {
    "covered_cost", "hospital_level", "tier", "local_avg_wage", "prior_reimbursed", "maternity_stage",
    "wage", "person.category", "person.retired", "person.poverty", "person.low_income",
}


@dataclass(frozen=True)
class CompiledCell:
    status: str  # "value" | "absent" | "delegated"
    value: Decimal | None
    source: Source
    missing: str | None = None
    delegated: str | None = None


@dataclass(frozen=True)
class CompiledParam:
    name: str
    label: str
    unit: str
    by: tuple[str, ...]
    cells: dict[tuple, CompiledCell]
    step_cache: dict = field(default_factory=dict, compare=False, repr=False)  # key -> trace Step


@dataclass(frozen=True)
class CompiledEffect:
    target: str
    op: str
    value: Decimal | None
    param: str | None


@dataclass(frozen=True)
class CompiledModifier:
    id: str
    name: str
    order: int
    services: tuple[str, ...]
    when: tuple[tuple[str, object], ...]
    effects: tuple[CompiledEffect, ...]
    source: Source
    assumptions: tuple  # of models.Assumption
    conflicts_with: tuple[str, ...]


@dataclass
class Policy:
    id: str
    title: str
    region: str
    year: int
    scheme: str
    document: str
    dimensions: dict[str, tuple]
    params: dict[str, CompiledParam]
    services: dict[str, object]  # name -> schema service spec
    modifiers: dict[str, tuple[CompiledModifier, ...]]  # service -> applicable modifiers by order
    contributions: ContributionSpec | None
    gaps: list[Gap]
    path: Path
    raw: RuleFile = field(repr=False, default=None)  # type: ignore[assignment]
    plan_cache: dict = field(repr=False, default_factory=dict)  # engine's memoised plans, see engine._plan

    def summary(self) -> PolicySummary:
        return PolicySummary(
            id=self.id, title=self.title, region=self.region, year=self.year, scheme=self.scheme,
            services=list(self.services), contributions=self.contributions is not None,
        )


def to_source(src: RuleSource, document: str) -> Source:
    return Source(document=src.document or document, citation=src.citation, chunk_id=src.chunk_id, quote=src.quote)


def _fail(path: Path, message: str) -> RuleFileError:
    return RuleFileError(f"{path.name}: {message}")


def _decimal(path: Path, where: str, raw: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise _fail(path, f"{where}: value {raw!r} is not a decimal") from None
    if not value.is_finite():
        raise _fail(path, f"{where}: value {raw!r} is not finite")
    return value


def _check_unit(path: Path, where: str, unit: str, value: Decimal) -> None:
    if unit == "ratio" and not (0 <= value <= 1):
        raise _fail(path, f"{where}: ratio {value} outside [0, 1]")
    if unit in ("CNY", "CNY/person-year") and value < 0:
        raise _fail(path, f"{where}: negative amount {value}")
    if unit == "share_of_avg_wage" and value <= 0:
        raise _fail(path, f"{where}: share of average wage must be positive")
    if unit == "flag" and value not in (0, 1):
        raise _fail(path, f"{where}: flag must be 0 or 1")


def _compile_param(path: Path, rf: RuleFile, name: str) -> CompiledParam:
    spec = rf.parameters[name]
    by = tuple(spec.by)
    for dim in by:
        if dim not in rf.dimensions:
            raise _fail(path, f"parameter {name}: breakdown by undeclared dimension {dim!r}")
    cells: dict[tuple, CompiledCell] = {}
    for i, cell in enumerate(spec.values):
        extra = dict(cell.model_extra or {})
        if set(extra) != set(by):
            raise _fail(path, f"parameter {name} value #{i + 1}: keys {sorted(extra)} do not match by={list(by)}")
        key = tuple(extra[d] for d in by)
        for dim, v in zip(by, key):
            if v not in rf.dimensions[dim] or type(v) is not type(rf.dimensions[dim][0]):
                raise _fail(path, f"parameter {name} value #{i + 1}: {dim}={v!r} not in {rf.dimensions[dim]}")
        if key in cells:
            raise _fail(path, f"parameter {name}: cell {dict(zip(by, key))} defined twice")
        kinds = [cell.value is not None, cell.absent, cell.delegated is not None]
        if sum(kinds) != 1:
            raise _fail(path, f"parameter {name} value #{i + 1}: exactly one of value / absent / delegated")
        source = to_source(cell.source, rf.document)
        if cell.value is not None:
            value = _decimal(path, f"parameter {name}", cell.value)
            _check_unit(path, f"parameter {name}", spec.unit, value)
            cells[key] = CompiledCell("value", value, source)
        else:
            if not cell.missing:
                raise _fail(path, f"parameter {name} value #{i + 1}: absent/delegated needs `missing`")
            status = "absent" if cell.absent else "delegated"
            cells[key] = CompiledCell(status, None, source, cell.missing, cell.delegated)
    expected = set(itertools.product(*(rf.dimensions[d] for d in by)))
    missing = expected - set(cells)
    if missing:
        shown = [dict(zip(by, k)) for k in sorted(missing, key=str)]
        raise _fail(path, f"parameter {name}: cells not defined (write them, or mark absent): {shown}")
    return CompiledParam(name, spec.label, spec.unit, by, cells)


def _service_params(spec) -> list[str]:
    names: list[str] = []
    for attr in ("deductible", "ratio", "quota", "carryover_rule", "relief_ratio", "relief_cap"):
        if getattr(spec, attr, None):
            names.append(getattr(spec, attr))
    for cap in getattr(spec, "caps", []) or []:
        names.append(cap.param)
        if cap.grows_with_diseases:
            names.append(cap.grows_with_diseases)
    if getattr(spec, "subsidies", None):
        names.extend(spec.subsidies.values())
    mi = getattr(spec, "major_illness", None)
    if mi:
        names.extend([mi.deductible, mi.ratio])
    for stage in getattr(spec, "relief", []) or []:
        names.extend([stage.ratio] + ([stage.cap] if stage.cap else []))
    return names


def _compile_modifier(path: Path, rf: RuleFile, params: dict[str, CompiledParam], m: ModifierSpec) -> CompiledModifier:
    from calculators.models import Assumption

    def check_conditions(when: dict) -> None:
        for key, value in when.items():
            if key not in CONDITION_KEYS:
                raise _fail(path, f"modifier {m.id}: unknown condition {key!r}")
            if key == "any":
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    raise _fail(path, f"modifier {m.id}: `any` takes a list of condition maps")
                for alternative in value:
                    check_conditions(alternative)

    check_conditions(m.when)
    for svc in m.services:
        if svc not in rf.services:
            raise _fail(path, f"modifier {m.id}: unknown service {svc!r}")
    effects = []
    for e in m.effects:
        if e.target not in params:
            raise _fail(path, f"modifier {m.id}: target {e.target!r} is not a parameter")
        if e.op == "set_param":
            if not e.param or e.param not in params:
                raise _fail(path, f"modifier {m.id}: set_param needs an existing `param`")
            value = None
        else:
            if e.value is None:
                raise _fail(path, f"modifier {m.id}: op {e.op} needs a value")
            value = _decimal(path, f"modifier {m.id}", e.value)
        target = params[e.target]
        if target.unit == "ratio" and e.op == "add":
            for key, cell in target.cells.items():
                if cell.status == "value" and not (0 <= cell.value + value <= 1):
                    raise _fail(path, f"modifier {m.id}: {e.target} {cell.value} + {value} leaves [0, 1] at {key}")
        effects.append(CompiledEffect(e.target, e.op, value, e.param))
    doc = rf.document
    assumptions = tuple(Assumption(id=a.id, text=a.text, quote=a.quote, source=to_source(m.source, doc)) for a in m.assumptions)
    return CompiledModifier(
        m.id, m.name, m.order, tuple(m.services), tuple(m.when.items()), tuple(effects),
        to_source(m.source, doc), assumptions, tuple(m.conflicts_with),
    )


def compile_rule_file(path: Path) -> Policy:
    """Parse, check and compile one rule file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rf = RuleFile.model_validate(data)
    except Exception as exc:  # yaml or pydantic: report with the file name
        raise _fail(path, f"invalid rule file: {exc}") from exc
    for dim, values in rf.dimensions.items():
        if dim not in KNOWN_DIMENSIONS:
            raise _fail(path, f"unknown dimension {dim!r}")
        if not values or len(set(values)) != len(values):
            raise _fail(path, f"dimension {dim!r} must list distinct values")
    params = {name: _compile_param(path, rf, name) for name in rf.parameters}
    for svc_name, spec in rf.services.items():
        for p in _service_params(spec):
            if p not in params:
                raise _fail(path, f"service {svc_name}: parameter {p!r} not defined")
        for req in spec.requires:
            if req not in REQUEST_FIELDS:
                raise _fail(path, f"service {svc_name}: unknown required field {req!r}")
        for cap in getattr(spec, "caps", []) or []:
            for cell in params[cap.param].cells.values():
                if cell.status == "value" and cell.value <= 0:
                    raise _fail(path, f"service {svc_name}: cap {cap.param} must be positive or absent")
    modifiers = sorted((_compile_modifier(path, rf, params, m) for m in rf.modifiers), key=lambda m: m.order)
    ids = [m.id for m in modifiers]
    if len(set(ids)) != len(ids):
        raise _fail(path, "modifier ids must be unique")
    orders = [m.order for m in modifiers]
    if len(set(orders)) != len(orders):
        raise _fail(path, "modifier orders must be distinct (the order is explicit, never implied)")
    by_service = {s: tuple(m for m in modifiers if s in m.services) for s in rf.services}
    if rf.contributions:
        c = rf.contributions
        for attr in ("individual", "employer_rate", "individual_rate", "base_min", "base_max", "account_share_of_employer"):
            name = getattr(c, attr)
            if name and name not in params:
                raise _fail(path, f"contributions: parameter {name!r} not defined")
    return Policy(
        rf.id, rf.title, rf.region, rf.year, rf.scheme, rf.document,
        {k: tuple(v) for k, v in rf.dimensions.items()}, params, dict(rf.services), by_service,
        rf.contributions, rf.gaps, path, rf,
    )


@lru_cache(maxsize=8)
def _load(directory: str) -> dict[str, Policy]:
    policies: dict[str, Policy] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        policy = compile_rule_file(path)
        if policy.id in policies:
            raise _fail(path, f"duplicate policy id {policy.id!r}")
        if path.stem != policy.id:
            raise _fail(path, f"file name must be <id>.yaml (id is {policy.id!r})")
        policies[policy.id] = policy
    return policies


def load_policies(directory: Path | str | None = None) -> dict[str, Policy]:
    """All policies, compiled and checked (cached per directory)."""
    return _load(str(directory or POLICY_DIR))


def clear_cache() -> None:
    _load.cache_clear()


_POLICY_DIR_KEY = str(POLICY_DIR)


def get_policy(policy_id: str) -> Policy:
    policies = _load(_POLICY_DIR_KEY)  # load_policies() without re-deriving the key per estimate
    try:
        return policies[policy_id]
    except KeyError:
        known = "、".join(sorted(policies))
        raise CalcError("policy", f"未知的政策：{policy_id!r}。可用的政策有：{known}。") from None


def list_policies() -> list[PolicySummary]:
    return [p.summary() for p in load_policies().values()]
