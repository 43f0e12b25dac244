"""The payer chain: each payer takes what the previous ones left.

Order is fixed by the corpus' own description of the settlement: basic pooled fund → major-illness
insurance → medical assistance / poverty relief ("按基本医疗规定政策补助及大病保险等补偿后自付部分 …
再次补助"). The ledger refuses a payment larger than the remainder, so the chain can never pay
more than the bill, and the result lists who paid what."""

from __future__ import annotations

from decimal import Decimal

from calculators.models import PayerShare
from calculators.money import ZERO, fmt
from calculators.trusted import construct

PAYER_NAMES = {
    "basic_fund": "基本医保统筹基金",
    "major_illness": "大病保险",
    "assistance": "医疗救助",
    "poverty_relief": "健康扶贫再次补助",
    "settled": "基本医保及大病保险（结算单金额）",
}
ORDER = ["settled", "basic_fund", "major_illness", "assistance", "poverty_relief"]


_RANK = {payer: i for i, payer in enumerate(ORDER)}


class PayerLedger:
    """Payments against one bill, in chain order."""

    __slots__ = ("total", "covered", "paid", "reimbursed")

    def __init__(self, total: Decimal, covered: Decimal) -> None:
        self.total = total
        self.covered = covered
        self.paid: list[tuple[str, Decimal, str | None]] = []
        self.reimbursed = ZERO  # running sum of `paid`

    @property
    def covered_remainder(self) -> Decimal:
        """Policy-covered cost not yet paid by any payer: the base of the next stage."""
        return self.covered - self.reimbursed

    def pay(self, payer: str, amount: Decimal, text: str | None = None) -> Decimal:
        """Record `payer` paying `amount` (`text`: the amount already formatted, if the caller has it)."""
        rank = _RANK.get(payer)
        if rank is None:
            raise ValueError(f"unknown payer {payer}")
        if self.paid and rank < _RANK[self.paid[-1][0]]:
            raise ValueError(f"payer {payer} out of chain order")
        if amount < 0 or amount > self.covered_remainder:
            raise ValueError(f"payer {payer} would pay {amount}, remainder is {self.covered_remainder}")
        self.paid.append((payer, amount, text))
        self.reimbursed += amount
        return amount

    def shares(self) -> list[PayerShare]:
        """Who paid what (engine-made values: built without re-validation, see calculators.trusted)."""
        return [construct(PayerShare, {"payer": p, "name": PAYER_NAMES[p], "amount": fmt(a) if t is None else t},
                          {"payer", "name", "amount"})
                for p, a, t in self.paid]
