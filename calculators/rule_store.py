"""Save a reviewed rule file into the deployment's rules folder, checked before anything changes.

A rule file is saved only if it compiles (every check of the loader) and its ids do not collide
with another file's; it is written to a temporary file and moved into place, and a file it
replaces is kept as `<id>.yaml.prev`, so a failed or mistaken save loses nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from calculators.errors import RuleFileError
from calculators.registry import POLICY_DIR, RuleSeries, clear_cache, compile_series, load_series, local_rules_dir


def check_rule_text(text: str, name: str = "draft.yaml") -> RuleSeries:
    """Compile a rule file's text (RuleFileError with the reason when it does not)."""
    return compile_series(Path(name), text)


def save_rule_text(text: str) -> Path:
    """Compile, check the ids against the library, and save; returns the saved path."""
    series = check_rule_text(text)
    target_dir = local_rules_dir()
    target = target_dir / f"{series.id}.yaml"
    if (POLICY_DIR / target.name).exists():
        raise RuleFileError(f"{target.name}: 与内置规则文件同名，请换一个 id")
    taken: dict[str, str] = {}
    for other in load_series().values():
        if other.path.resolve() == target.resolve():
            continue
        for name in [other.id, *(p.id for p in other.periods)]:
            taken[name] = other.id
    for name in [series.id, *(p.id for p in series.periods)]:
        if name in taken:
            raise RuleFileError(f"{target.name}: id {name!r} 已被规则文件 {taken[name]} 使用")
    target_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target_dir, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if target.exists():
            os.replace(target, target.with_suffix(".yaml.prev"))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    clear_cache()
    return target


__all__ = ["check_rule_text", "save_rule_text"]
