"""Load policy rule files, check them, and compile them into lookup tables for the engine.

All checks that can be done without a request run here, once: every cell of every breakdown
present exactly once, units respected (ratios in [0, 1], caps positive or explicitly absent), every
parameter a service or modifier names defined, ratio bonuses never pushing a ratio above 1, and
modifier orders unambiguous. A file that fails is rejected with RuleFileError naming the file."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from calculators.errors import CalcError, RuleFileError
from calculators.models import PolicySummary, Source
from calculators.schema import Cell, ContributionSpec, Gap, ModifierSpec, Period, RuleFile, RuleSource

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
    """The rules of one series (region + scheme) as in force over one span of dates: the values
    whose `from`/`until` cover that span, and the services, modifiers and contributions whose
    parameters are all in force then. Its `id` is the period's ("yuechi-urban-resident-2009")."""

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
    series: str = ""
    valid_from: date | None = None  # first day this snapshot's values are in force
    valid_until: date | None = None  # last day (inclusive)

    def summary(self) -> PolicySummary:
        return PolicySummary(
            id=self.id, title=self.title, region=self.region, year=self.year, scheme=self.scheme,
            services=list(self.services), contributions=self.contributions is not None,
            contribution_kind=self.contributions.kind if self.contributions is not None else None,
            series=self.series or None, valid_from=self.valid_from, valid_until=self.valid_until,
        )


_SOURCES: dict[tuple[str, str], Source] = {}


def to_source(src: RuleSource, document: str) -> Source:
    """The source of a value with the knowledge base's chunk id and citation derived from the
    quote now (calculators/clauses.py); both are None when no clause of the document holds the
    whole quote, which `medpolicy policies --check` reports."""
    doc = src.document or document
    key = (src.quote, doc)
    source = _SOURCES.get(key)
    if source is None:
        from calculators.clauses import locate

        clause = locate(src.quote, doc)
        source = Source(document=doc, citation=clause.citation if clause else None,
                        chunk_id=clause.chunk_id if clause else None, quote=src.quote)
        _SOURCES[key] = source
    return source


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


def _starts(rf: RuleFile, cell: Cell | Gap) -> date:
    return cell.from_ or rf.periods[0].start


def _in_force(rf: RuleFile, cells: list, day: date) -> list:
    """Of `cells` (values of one cell, or gaps), those in force on `day`: for values the one that
    took effect last on or before it, unless its `until` has passed (OpenFisca's value history)."""
    return [c for c in cells if _starts(rf, c) <= day and (c.until is None or day <= c.until)]


def _compile_param(path: Path, rf: RuleFile, name: str, day: date) -> CompiledParam | None:
    """The parameter as in force on `day`; None when none of its values is."""
    spec = rf.parameters[name]
    by = tuple(spec.by)
    for dim in by:
        if dim not in rf.dimensions:
            raise _fail(path, f"parameter {name}: breakdown by undeclared dimension {dim!r}")
    history: dict[tuple, list[tuple[int, Cell]]] = {}
    for i, cell in enumerate(spec.values):
        extra = dict(cell.model_extra or {})
        if set(extra) != set(by):
            raise _fail(path, f"parameter {name} value #{i + 1}: keys {sorted(extra)} do not match by={list(by)}")
        key = tuple(extra[d] for d in by)
        for dim, v in zip(by, key):
            if v not in rf.dimensions[dim] or type(v) is not type(rf.dimensions[dim][0]):
                raise _fail(path, f"parameter {name} value #{i + 1}: {dim}={v!r} not in {rf.dimensions[dim]}")
        if cell.until is not None and cell.until < _starts(rf, cell):
            raise _fail(path, f"parameter {name} value #{i + 1}: until {cell.until} before its start")
        for _, other in history.get(key, []):
            if _starts(rf, other) == _starts(rf, cell):
                raise _fail(path, f"parameter {name}: cell {dict(zip(by, key))} defined twice")
        history.setdefault(key, []).append((i, cell))
    chosen: dict[tuple, tuple[int, Cell]] = {}
    for key, values in history.items():
        started = [(i, c) for i, c in values if _starts(rf, c) <= day]
        if started:
            i, c = max(started, key=lambda ic: _starts(rf, ic[1]))
            if c.until is None or day <= c.until:
                chosen[key] = (i, c)
    if not chosen:
        return None
    cells: dict[tuple, CompiledCell] = {}
    for key, (i, cell) in chosen.items():
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
        raise _fail(path, f"parameter {name}: cells not defined on {day} (write them, or mark absent): {shown}")
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


def _canonical_region(path: Path, region: str) -> str:
    """The knowledge base's canonical name of a region (its gazetteer), so rule sets and clauses
    name a place one way ("岳池" and "岳池县" → "岳池县")."""
    from knowledge_base.ingest.regions import gazetteer

    canonical = gazetteer().aliases.get(region)
    if canonical is None:
        raise _fail(path, f"region {region!r} is not in the knowledge base's gazetteer "
                          "(knowledge_base/resources/gazetteer.yaml): add it there first")
    return canonical


def parse_rule_file(path: Path, text: str | None = None) -> RuleFile:
    """Parse and validate the YAML of one rule file (RuleFileError naming the file)."""
    try:
        data = yaml.safe_load(text if text is not None else path.read_text(encoding="utf-8"))
        rf = RuleFile.model_validate(data)
    except Exception as exc:  # yaml or pydantic: report with the file name
        raise _fail(path, f"invalid rule file: {exc}") from exc
    rf = rf.model_copy(update={"region": _canonical_region(path, rf.region)})
    for dim, values in rf.dimensions.items():
        if dim not in KNOWN_DIMENSIONS:
            raise _fail(path, f"unknown dimension {dim!r}")
        if not values or len(set(values)) != len(values):
            raise _fail(path, f"dimension {dim!r} must list distinct values")
    ids = [p.id for p in rf.periods]
    if len(set(ids)) != len(ids):
        raise _fail(path, "period ids must be unique")
    ordered = sorted(rf.periods, key=lambda p: p.start)
    for p in ordered:
        if p.end < p.start:
            raise _fail(path, f"period {p.id}: end {p.end} before start {p.start}")
    for a, b in zip(ordered, ordered[1:]):
        if b.start <= a.end:
            raise _fail(path, f"periods {a.id} and {b.id} overlap")
    return rf


def _compile_snapshot(path: Path, rf: RuleFile, period: Period, day: date, until: date) -> Policy:
    """The policy as in force from `day` to `until` (inside `period`): every check runs here."""
    params: dict[str, CompiledParam] = {}
    for name in rf.parameters:
        compiled = _compile_param(path, rf, name, day)
        if compiled is not None:
            params[name] = compiled
    services: dict[str, object] = {}
    for svc_name, spec in rf.services.items():
        names = _service_params(spec)
        for p in names:
            if p not in rf.parameters:
                raise _fail(path, f"service {svc_name}: parameter {p!r} not defined")
        if any(p not in params for p in names):
            continue  # not all of its values are in force on these dates: see `gaps`
        for req in spec.requires:
            if req not in REQUEST_FIELDS:
                raise _fail(path, f"service {svc_name}: unknown required field {req!r}")
        for cap in getattr(spec, "caps", []) or []:
            for cell in params[cap.param].cells.values():
                if cell.status == "value" and cell.value <= 0:
                    raise _fail(path, f"service {svc_name}: cap {cap.param} must be positive or absent")
        services[svc_name] = spec
    compiled_mods = []
    for m in rf.modifiers:
        targets = [e.target for e in m.effects] + [e.param for e in m.effects if e.param]
        for t in targets:
            if t not in rf.parameters:
                raise _fail(path, f"modifier {m.id}: target {t!r} is not a parameter")
        for svc in m.services:
            if svc not in rf.services:
                raise _fail(path, f"modifier {m.id}: unknown service {svc!r}")
        if all(t in params for t in targets):
            compiled_mods.append(_compile_modifier(path, rf, params, m))
    modifiers = sorted(compiled_mods, key=lambda m: m.order)
    ids = [m.id for m in rf.modifiers]
    if len(set(ids)) != len(ids):
        raise _fail(path, "modifier ids must be unique")
    orders = [m.order for m in rf.modifiers]
    if len(set(orders)) != len(orders):
        raise _fail(path, "modifier orders must be distinct (the order is explicit, never implied)")
    by_service = {s: tuple(m for m in modifiers if s in m.services) for s in services}
    contributions = rf.contributions
    if contributions:
        names = [getattr(contributions, a) for a in
                 ("individual", "employer_rate", "individual_rate", "base_min", "base_max", "account_share_of_employer",
                  "laid_off_base", "household_same_tier")]
        for name in filter(None, names):
            if name not in rf.parameters:
                raise _fail(path, f"contributions: parameter {name!r} not defined")
        if any(name not in params for name in filter(None, names)):
            contributions = None
    gaps = _in_force(rf, rf.gaps, day)
    for req in rf.requirements:
        flags = [k for k in req.when if k not in _TOLD_FLAGS]
        if flags:
            raise _fail(path, f"requirements.{req.id}: {flags} are not yes/no request fields (allowed: {sorted(_TOLD_FLAGS)})")
        if unknown := [name for name in req.services if name not in rf.services]:
            raise _fail(path, f"requirements.{req.id}: services {unknown} not defined")
    return Policy(
        period.id, period.title, rf.region, period.year, rf.scheme, rf.document,
        {k: tuple(v) for k, v in rf.dimensions.items()}, params, services, by_service,
        contributions, gaps, path, rf, series=rf.id, valid_from=day, valid_until=until,
    )


# The yes/no request fields a requirement may be triggered by (told facts of the care).
_TOLD_FLAGS = frozenset({"injury", "out_of_area", "out_of_city", "referral"})


def _change_days(rf: RuleFile) -> set[date]:
    """Every date on which some value, gap or period starts or stops being in force."""
    days: set[date] = set()
    for p in rf.periods:
        days.update((p.start, p.end + timedelta(days=1)))
    for param in rf.parameters.values():
        for cell in param.values:
            days.add(_starts(rf, cell))
            if cell.until is not None:
                days.add(cell.until + timedelta(days=1))
    for gap in rf.gaps:
        days.add(_starts(rf, gap))
        if gap.until is not None:
            days.add(gap.until + timedelta(days=1))
    return days


@dataclass
class RuleSeries:
    """One rule file: a region's scheme over its periods, compiled into one `Policy` per span of
    dates on which the values in force do not change (all compiled, so all checked, at load)."""

    id: str
    title: str
    region: str
    scheme: str
    path: Path
    raw: RuleFile = field(repr=False)
    periods: tuple[Period, ...]
    snapshots: tuple[Policy, ...]  # in date order

    def period_policy(self, period_id: str) -> Policy:
        """The rules at the start of a period (what its id names when no date is given)."""
        return next(s for s in self.snapshots if s.id == period_id)

    def period_on(self, day: date) -> Period | None:
        return next((p for p in self.periods if p.start <= day <= p.end), None)

    def policy_on(self, day: date) -> Policy:
        """The rules in force on `day`; CalcError("date") when no period of the file covers it."""
        for snap in self.snapshots:
            if snap.valid_from <= day <= snap.valid_until:  # type: ignore[operator]
                return snap
        spans = "；".join(f"{p.title} {p.start}至{p.end}" for p in self.periods)
        raise CalcError("date", f"就诊日期 {day} 不在“{self.title}”任何一个政策期间内（已收录：{spans}），"
                                "无法按当时有效的规定测算。请提供期间内的日期（date），或以当地医保经办机构核定为准。")


def compile_series(path: Path, text: str | None = None) -> RuleSeries:
    """Parse, check and compile one rule file into its dated snapshots."""
    rf = parse_rule_file(path, text)
    days = sorted(_change_days(rf))
    snapshots: list[Policy] = []
    for period in sorted(rf.periods, key=lambda p: p.start):
        starts = [d for d in days if period.start <= d <= period.end]
        for i, day in enumerate(starts):
            until = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else period.end
            snapshots.append(_compile_snapshot(path, rf, period, day, until))
    return RuleSeries(rf.id, rf.title, rf.region, rf.scheme, path, rf, tuple(rf.periods), tuple(snapshots))


def compile_rule_file(path: Path, text: str | None = None) -> Policy:
    """The rules at the start of the file's first period (a single-period draft, or tests)."""
    series = compile_series(path, text)
    return series.period_policy(min(series.periods, key=lambda p: p.start).id)


@dataclass(frozen=True)
class Library:
    series: dict[str, RuleSeries]  # series id -> series
    periods: dict[str, tuple[RuleSeries, Period]]  # period id -> (series, period)


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def local_rules_dir() -> Path:
    """Where reviewed rule files of this deployment are saved (`<data_dir>/rules`, the admin page
    /rules and `medpolicy rules save`); loaded after the bundled ones."""
    from knowledge_base.config import KBSettings

    return Path(KBSettings().data_dir) / "rules"


def _default_key() -> str:
    return "\n".join([str(POLICY_DIR), str(local_rules_dir())])


@lru_cache(maxsize=8)
def _library(directories: str) -> Library:
    series: dict[str, RuleSeries] = {}
    periods: dict[str, tuple[RuleSeries, Period]] = {}
    paths = [p for d in directories.split("\n") for p in sorted(Path(d).glob("*.yaml"))]
    with _LOAD_LOCK:
        for path in paths:
            s = compile_series(path)
            if path.stem != s.id:
                raise _fail(path, f"file name must be <id>.yaml (id is {s.id!r})")
            for name in [s.id, *(p.id for p in s.periods)]:
                if name in series or name in periods:
                    raise _fail(path, f"duplicate policy id {name!r}")
            series[s.id] = s
            for p in s.periods:
                if p.id == s.id:
                    raise _fail(path, f"period id {p.id!r} must differ from the file id")
                periods[p.id] = (s, p)
    return Library(series, periods)


def _load(directory: str) -> dict[str, Policy]:
    lib = _library(directory)
    return {pid: s.period_policy(pid) for pid, (s, _p) in lib.periods.items()}


def load_policies(directory: Path | str | None = None) -> dict[str, Policy]:
    """Each period's policy by period id, compiled and checked (cached per directory; by default
    the bundled rule files and the deployment's saved ones)."""
    return _load(str(directory) if directory else _default_key())


def load_series(directory: Path | str | None = None) -> dict[str, RuleSeries]:
    return _library(str(directory) if directory else _default_key()).series


def clear_cache() -> None:
    """Forget compiled rule files (after saving one, or when the settings change)."""
    _library.cache_clear()
    local_rules_dir.cache_clear()
    _SOURCES.clear()


def _unknown(policy_id: str, lib: Library) -> CalcError:
    known = "、".join(sorted([*lib.periods, *lib.series]))
    return CalcError("policy", f"未知的政策：{policy_id!r}。可用的政策有：{known}。")


def policy_for(policy_id: str, day: date | None) -> tuple[Policy, date | None]:
    """The policy a request names, as in force on its date of care.

    A file id ("yuechi-urban-resident") takes the values in force on `day`, today when it is None
    (returned, so the caller records the default). A period id ("yuechi-urban-resident-2009")
    names that period: without a date its start, with a date one inside it."""
    lib = _library(_default_key())
    found = lib.periods.get(policy_id)
    if found is not None:
        series, period = found
        if day is None:
            return series.period_policy(policy_id), None
        if not period.start <= day <= period.end:
            raise CalcError("date", f"就诊日期 {day} 不在“{period.title}”的期间（{period.start}至{period.end}）内；"
                                    f"按日期测算请使用政策 {series.id}。")
        return series.policy_on(day), None
    series = lib.series.get(policy_id)
    if series is None:
        raise _unknown(policy_id, lib)
    if day is None:
        today = date.today()
        return series.policy_on(today), today
    return series.policy_on(day), None


def get_policy(policy_id: str) -> Policy:
    """A period's policy (or a file's as in force today)."""
    return policy_for(policy_id, None)[0]


def list_policies() -> list[PolicySummary]:
    return [p.summary() for p in load_policies().values()]
