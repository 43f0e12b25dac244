"""Whether the calculators can answer a new estimate or premium question, read from what the rule
sets hold — never from how well a clause matches (the clause judge refused in-scope questions
the rule sets compute, docs/BENCHMARKS.md release 6).

The rule sets compute basic medical insurance only: a bill's reimbursement under a service they
list, and a premium of the payers their contribution kind computes. A question is outside them
when it names

- another insurance product or benefit (惠民保, 商业险, 养老保险…: the NLU lexicon's
  `other_insurance`), whose premium or claim no rule set holds;
- for a premium, a payer no held contribution kind computes (a self-employed person pays both
  shares of the employee scheme at a local rate: `calculator_scope.self_employed`);
- for a premium, a number of years ("交满多少年"): the calculators compute money, not durations.

Such a question is answered from the clauses (the library's judge decides there), as when no
rule set fits its region. Regions, schemes and years are checked by `choose_policy` and the
year rules of the service itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Whose premium each contribution kind computes (calculators/schema.py `ContributionSpec.kind`):
# a flat resident premium by person category and tier; an employee's share beside the employer's.
PAYERS_BY_KIND: dict[str, frozenset[str]] = {
    "resident_flat": frozenset({"resident"}),
    "employee_rates": frozenset({"employee"}),
}


@dataclass(frozen=True)
class Outside:
    """Why the rule sets cannot compute the question: `reason` and the word that says so."""

    reason: str  # "other_insurance" | "payer" | "duration"
    word: str


def payers_computed(policies: Iterable[Any]) -> frozenset[str]:
    """The payers whose premium some held rule set computes."""
    out: set[str] = set()
    for policy in policies:
        out |= PAYERS_BY_KIND.get(getattr(policy, "contribution_kind", None) or "", frozenset())
    return frozenset(out)


def outside_rule_sets(text: str, purpose: str, policies: Iterable[Any], lex: Any = None) -> Outside | None:
    """What `text` (a new question, normalised) names that the rule sets do not compute, for
    `purpose` "estimate" or "contribution"; None when nothing."""
    if lex is None:
        from assistant.nlu.lexicon import lexicon

        lex = lexicon()
    hit = lex.other_insurance.first(text)
    if hit is not None:
        return Outside("other_insurance", hit.alias)
    if purpose != "contribution":
        return None
    match = lex.duration_asked.search(text)
    if match:
        return Outside("duration", match.group(0))
    hit = lex.self_employed.first(text)
    if hit is not None and "self_employed" not in payers_computed(policies):
        return Outside("payer", hit.alias)
    return None
