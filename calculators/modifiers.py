"""Parameter resolution: look a value up in its breakdown, then apply the named modifiers in order.

A modifier is a rule from the text ("中小学生和儿童报销比例上浮10%") with its own citation, an explicit
`order`, conditions on the request and effects on parameters. Resolution writes one trace step
for the base value and one per effect, so the reader sees 60% → 70% and why. Two applicable
modifiers that both *set* the same parameter, or that declare each other conflicting, are an
error: the engine does not guess which rule wins."""

from __future__ import annotations

from decimal import Decimal

from calculators.context import Context
from calculators.errors import CalcError
from calculators.models import Step
from calculators.money import ONE, ZERO, fmt, fmt_plain, fmt_ratio, q2
from calculators.registry import CompiledEffect, CompiledModifier, CompiledParam

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}


def dimension_value(ctx: Context, dim: str) -> object:
    """The request's value for one breakdown dimension, checked against the policy's enumeration."""
    allowed = ctx.policy.dimensions.get(dim, ())
    if dim == "tier":
        value = ctx.need("tier")
        field = "tier"
    elif dim == "level":
        value = ctx.need("hospital_level")
        field = "hospital_level"
    elif dim == "retired":
        value = ctx.need("person.retired")
        field = "person.retired"
    else:
        raise CalcError(dim, f"维度 {dim} 不能用于测算请求。")
    if value not in allowed or type(value) is not type(allowed[0]):
        shown = "、".join(str(v).lower() if isinstance(v, bool) else str(v) for v in allowed)
        raise CalcError(field, f"{field} 的取值 {value!r} 无效：政策“{ctx.policy.title}”只有 {shown}。")
    return value


def condition_holds(ctx: Context, key: str, expected: object) -> bool:
    """Evaluate one `when` condition; reads (and so requires) only the fields it needs."""
    if key == "category":
        return ctx.need("person.category", "判断是否适用按人员类别的规定") in expected  # type: ignore[operator]
    if key == "poverty":
        return bool(ctx.need("person.poverty", "判断是否适用建档立卡贫困人口政策")) == expected
    if key == "poverty_or_low_income":
        # Either one told true is enough: a 低保户 need not say whether they are also 建档立卡.
        told = ctx.raw("person.poverty") is True or ctx.raw("person.low_income") is True
        hit = told or bool(ctx.need("person.poverty", "判断是否适用贫困人员政策")) or bool(
            ctx.need("person.low_income", "判断是否适用低保户政策"))
        return hit == expected
    if key == "out_of_area":
        return bool(ctx.need("out_of_area")) == expected
    if key == "referral":
        return bool(ctx.need("referral", "县外就医时是否已办理转诊或外诊登记决定起付线和比例")) == expected
    if key == "admission_index_min":
        index = ctx.need("admission_index")
        if not isinstance(index, int) or index < 1:
            raise CalcError("admission_index", f"admission_index 应为从1开始的整数，收到 {index!r}。")
        return index >= expected  # type: ignore[operator]
    if key == "level_min":
        return dimension_value(ctx, "level") >= expected  # type: ignore[operator]
    if key == "major_disease":
        return bool(ctx.need("person.major_disease")) == expected
    if key == "out_of_city":
        return bool(ctx.need("out_of_city")) == expected
    if key == "any":  # alternatives, each a map of conditions that must all hold
        return any(all(condition_holds(ctx, k, v) for k, v in alt.items()) for alt in expected)  # type: ignore[union-attr]
    raise CalcError("modifiers", f"未知的适用条件 {key}。")


def applicable_modifiers(ctx: Context) -> list[CompiledModifier]:
    """Modifiers of this service whose conditions hold, in their explicit order; conflicts refused."""
    chosen = [m for m in ctx.policy.modifiers.get(ctx.service, ()) if all(condition_holds(ctx, k, v) for k, v in m.when)]
    ids = {m.id for m in chosen}
    for m in chosen:
        clash = ids.intersection(m.conflicts_with)
        if clash:
            other = next(x for x in chosen if x.id in clash)
            raise CalcError("modifiers", f"规则冲突：“{m.name}”与“{other.name}”不能同时适用，请核对请求中的人员与就医情形。")
    setters: dict[str, CompiledModifier] = {}
    for m in chosen:
        for e in m.effects:
            if e.op in ("set", "set_param"):
                if e.target in setters and setters[e.target] is not m:
                    label = ctx.policy.params[e.target].label
                    raise CalcError("modifiers", f"规则冲突：“{setters[e.target].name}”与“{m.name}”都直接设定“{label}”，无法确定以哪条为准。")
                setters[e.target] = m
    return chosen


def _describe_dims(param: CompiledParam, key: tuple) -> str:
    """Chinese description of a breakdown cell for trace labels: “二档、三级医院”."""
    parts = []
    for dim, v in zip(param.by, key):
        if dim == "level":
            parts.append(f"{LEVEL_NAMES.get(v, v)}医院")
        elif dim == "tier":
            parts.append(f"{'一二三'[v - 1] if 1 <= v <= 3 else v}档")
        elif dim == "retired":
            parts.append("退休" if v else "在职")
        else:
            parts.append(str(v))
    return "、".join(parts)


def _show(param: CompiledParam, value: Decimal) -> str:
    return fmt_ratio(value) if param.unit == "ratio" else fmt_plain(value)


def _refuse(ctx: Context, param: CompiledParam, missing: str | None) -> CalcError:
    return CalcError(
        param.name,
        f"政策“{ctx.policy.title}”原文未规定{missing or param.label}，无法测算“{ctx.service_label}”的这一部分。"
        "请以当地医保经办机构核定为准（可拨打12393或12333咨询）。",
    )


def base_value(ctx: Context, name: str, *, trace: bool = True) -> Decimal | None:
    """Breakdown lookup (no modifiers). Returns None for an absent cell; resolves delegated and
    wage-relative values from the request, tracing each."""
    param = ctx.policy.params[name]
    key = tuple(dimension_value(ctx, d) for d in param.by)
    cell = param.cells[key]
    if cell.status == "absent":
        return None
    if cell.status == "delegated":
        value = ctx.ratio_field(cell.delegated, f"原文未规定{cell.missing}，由统筹地区自定")
        if trace:
            ctx.step(f"{param.label}（当地口径，由请求提供）", f"{cell.delegated} = {fmt_ratio(value)}",
                     fmt_plain(value), cell.source)
        return value
    value = cell.value
    if param.unit == "share_of_avg_wage":
        wage = ctx.amount_as_given("local_avg_wage")
        amount = q2(value * wage)
        if trace:
            ctx.step(param.label, f"{fmt_plain(value)} × 当地上年度职工年平均工资 {wage} = {amount}", amount, cell.source)
        return amount
    if trace:
        ctx.steps.append(_base_step(param, key, cell))
    return value


def _base_step(param: CompiledParam, key: tuple, cell) -> Step:
    """The trace line of a plain table lookup depends only on the cell, so it is built once and
    shared (steps are never mutated after construction)."""
    step = param.step_cache.get(key)
    if step is None:
        where = _describe_dims(param, key)
        suffix = f"（{where}）" if where else ""
        amount = fmt_plain(cell.value) if param.unit == "ratio" else fmt(cell.value)
        src = cell.source
        step = Step(label=f"{param.label}{suffix}", formula=_show(param, cell.value), amount=amount, source=src,
                    chunk_id=src.chunk_id, citation=src.citation, quote=src.quote)
        param.step_cache[key] = step
    return step


def _apply(ctx: Context, param: CompiledParam, m: CompiledModifier, e: CompiledEffect, value: Decimal | None) -> Decimal:
    if e.op == "set_param":
        other = base_value(ctx, e.param, trace=False)
        if other is None:
            raise _refuse(ctx, ctx.policy.params[e.param], None)
        new = other
        replacement = ctx.policy.params[e.param]
        # The cell of the replacing table, as a base value's label names it ("（二档）"): the figure
        # depends on the tier (or level) as much as the base would have.
        where = _describe_dims(replacement, tuple(dimension_value(ctx, d) for d in replacement.by))
        formula = f"改用“{replacement.label}”{f'（{where}）' if where else ''} = {_show(param, new)}"
    elif e.op == "set":
        new = e.value
        formula = f"= {_show(param, new)}"
    elif value is None:
        raise _refuse(ctx, param, _missing(ctx, param))
    elif e.op == "add":
        new = value + e.value
        if param.unit == "ratio":
            sign = "+" if e.value >= 0 else "−"
            formula = f"{fmt_ratio(value)} {sign} {fmt_plain(abs(e.value) * 100)}个百分点 = {fmt_ratio(new)}"
        else:
            sign = "+" if e.value >= 0 else "−"
            formula = f"{fmt_plain(value)} {sign} {fmt_plain(abs(e.value))} = {fmt_plain(new)}"
    else:  # multiply
        new = value * e.value
        formula = f"{fmt_plain(value)} × {fmt_plain(e.value)} = {_show(param, q2(new) if param.unit != 'ratio' else new)}"
    if param.unit != "ratio":
        new = q2(new)
    if param.unit == "ratio" and not (ZERO <= new <= ONE):
        raise CalcError("modifiers", f"“{m.name}”使{param.label}变为 {fmt_ratio(new)}，超出0–100%，规则数据有误。")
    if new < 0:  # e.g. a deduction larger than the amount: an amount never goes below zero
        new = ZERO
        formula += "，不低于0 → 0"
    ctx.step(f"{m.name}：{param.label}", formula, fmt_plain(new) if param.unit == "ratio" else new, m.source)
    for a in m.assumptions:
        ctx.assume(a)
    return new


def _missing(ctx: Context, param: CompiledParam) -> str | None:
    key = tuple(dimension_value(ctx, d) for d in param.by)
    return param.cells[key].missing


def resolve(ctx: Context, name: str, modifiers: list[CompiledModifier]) -> Decimal:
    """Final value of a parameter for this request: base cell, then each applicable effect in order.

    The value and its trace lines depend only on the breakdown cell(s) and the applicable
    modifiers, so for table values they are computed once per combination and replayed
    (precompiled rule table); values taken from the request (delegated, wage-relative) never are."""
    param = ctx.policy.params[name]
    effects = [(m, e) for m in modifiers for e in m.effects if e.target == name]
    key = tuple(dimension_value(ctx, d) for d in param.by)
    cell = param.cells[key]
    if cell.status == "delegated" or param.unit == "share_of_avg_wage":
        return _resolve(ctx, param, effects)
    memo_key = ("resolved", key, tuple(id(m) for m, _ in effects)) + tuple(
        tuple(dimension_value(ctx, d) for d in ctx.policy.params[e.param].by) for _, e in effects if e.op == "set_param")
    hit = param.step_cache.get(memo_key)
    if hit is None:
        n_steps = len(ctx.steps)
        value = _resolve(ctx, param, effects)
        param.step_cache[memo_key] = (value, tuple(ctx.steps[n_steps:]))
        return value
    value, steps = hit
    ctx.steps.extend(steps)
    for m, _ in effects:
        for a in m.assumptions:
            ctx.assume(a)
    return value


def _resolve(ctx: Context, param: CompiledParam, effects: list) -> Decimal:
    name = param.name
    overridden = any(e.op in ("set", "set_param") for _, e in effects)
    value = base_value(ctx, name, trace=not overridden)
    if value is None and not effects:
        raise _refuse(ctx, param, _missing(ctx, param))
    for m, e in effects:
        value = _apply(ctx, param, m, e, value)
    return value  # type: ignore[return-value]


def refuse_if_absent(ctx: Context, names: list[str]) -> None:
    """Refuse at once when a needed parameter is absent from the text and no modifier of this
    service could set it — before asking the user for fields that cannot change the outcome."""
    setters = {e.target for m in ctx.policy.modifiers.get(ctx.service, ()) for e in m.effects if e.op in ("set", "set_param")}
    for name in names:
        if name in setters:
            continue
        param = ctx.policy.params[name]
        cell = param.cells[tuple(dimension_value(ctx, d) for d in param.by)]
        if cell.status == "absent":
            raise _refuse(ctx, param, cell.missing)


def resolve_optional_cap(ctx: Context, name: str, modifiers: list[CompiledModifier]) -> Decimal | None:
    """A cap that the text may leave absent: None (no cap applied, stated as an assumption)."""
    param = ctx.policy.params[name]
    effects = [(m, e) for m in modifiers for e in m.effects if e.target == name]
    if not effects:
        key = tuple(dimension_value(ctx, d) for d in param.by)
        cell = param.cells[key]
        if cell.status == "absent":
            from calculators.models import Assumption

            ctx.assume(Assumption(
                id=f"no_cap:{name}",
                text=f"原文未给出{cell.missing or param.label}，本测算未设封顶；实际可能另有年度限额，结果为上限估计。",
                quote=cell.source.quote, source=cell.source,
            ))
            return None
    return resolve(ctx, name, modifiers)
