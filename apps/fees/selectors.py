"""Reading the fee schedule: `fee_quote` is what every page showing a fee calls, with the day of the visit.

The schedule is small and read on every journey page, so each procedure's rows are kept in the cache as plain
values (no query on a warm page); `signals.py` drops the copy when an officer changes a row.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.utils.translation import get_language, pgettext

from .models import FeeReduction, FeeRule
from .money import vnd

CACHE_SECONDS = 600


def _cache_key(procedure: str) -> str:
    return f"fees:schedule:v1:{procedure}"


@dataclass(frozen=True)
class _Row:
    reason: str
    starts_on: date
    ends_on: date | None
    amount: int  # rules: VND; reductions: percent
    min_age: int | None
    below_age: int | None
    basis: str
    basis_en: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def fits(self, age: int | None) -> bool:
        if self.min_age is None and self.below_age is None:
            return True
        if age is None:
            return False
        return (self.min_age is None or age >= self.min_age) and (self.below_age is None or age < self.below_age)

    def display_basis(self) -> str:
        return self.basis_en if (get_language() or "").startswith("en") and self.basis_en else self.basis


@dataclass(frozen=True)
class FeeQuote:
    amount: int  # VND to pay; 0 = free
    basis: str  # why, in the active language (the rule's or the reduction's legal basis)
    full_amount: int  # before any reduction
    percent_off: int  # 0 when no reduction applies

    @property
    def is_free(self) -> bool:
        return self.amount == 0


def _schedule(procedure: str) -> tuple[list[_Row], list[_Row]]:
    key = _cache_key(procedure)
    schedule = cache.get(key)
    if schedule is None:
        rules = [
            _Row(r.reason, r.starts_on, r.ends_on, r.amount, None, None, r.basis, r.basis_en)
            for r in FeeRule.objects.filter(procedure_slug=procedure)
        ]
        reductions = [
            _Row("", r.starts_on, r.ends_on, r.percent, r.min_age, r.below_age, r.basis, r.basis_en)
            for r in FeeReduction.objects.filter(procedure_slug=procedure)
        ]
        schedule = (rules, reductions)
        cache.set(key, schedule, CACHE_SECONDS)
    return schedule


def fee_schedule_forget(*, procedure: str) -> None:
    cache.delete(_cache_key(procedure))


def fee_quote(*, procedure: str, reason: str, on: date, age: int | None = None) -> FeeQuote | None:
    """The fee for `reason` of `procedure` on the day `on` (the visit), for a person of `age` that day (None:
    unknown, so no age exemption). None when the schedule has no fee for it (the counter tells)."""
    rules, reductions = _schedule(procedure)
    # A reason's own rule beats the procedure's catch-all; among those, the latest start wins.
    candidates = [r for r in rules if r.reason in (reason, "") and r.covers(on)]
    if not candidates:
        return None
    rule = max(candidates, key=lambda r: (r.reason == reason, r.starts_on))
    if rule.amount == 0:
        return FeeQuote(amount=0, basis=rule.display_basis(), full_amount=0, percent_off=0)
    applicable = [r for r in reductions if r.covers(on) and r.fits(age)]
    if not applicable:
        return FeeQuote(amount=rule.amount, basis=rule.display_basis(), full_amount=rule.amount, percent_off=0)
    best = max(applicable, key=lambda r: (r.amount, r.starts_on))
    amount = rule.amount * (100 - best.amount) // 100
    return FeeQuote(amount=amount, basis=best.display_basis(), full_amount=rule.amount, percent_off=best.amount)


def fee_quote_differs(*, procedure: str, reason: str, day: date, other_day: date, age: int | None = None) -> bool:
    """Whether a visit on `day` costs a different amount than one on `other_day` (the slot picker's warning)."""
    first = fee_quote(procedure=procedure, reason=reason, on=day, age=age)
    second = fee_quote(procedure=procedure, reason=reason, on=other_day, age=age)
    return (first and first.amount) != (second and second.amount)


_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
_SPACES = re.compile(r"[ \t]{2,}")
REDUCTION = "reduction"


def fee_amount_text(fee: FeeQuote | None) -> str:
    """A quote in words, as `fees/_amount.html` writes it: "25.000 đ", "free", "told at the counter"."""
    if fee is None:
        return pgettext("fee", "told at the counter")
    return vnd(fee.amount) if fee.amount else pgettext("fee", "free")


def fee_text_render(*, procedure: str, text: str, on: date) -> str:
    """A catalogue's fee text with the schedule's figures for the day `on` (the catalogue never hard-codes an
    amount or the end of a reduction): `{<reason>}` becomes that reason's fee for an adult, `{reduction}` the legal
    basis of each reduction for everyone in force that day (nothing when none is). Other braces stay as written."""
    if not _PLACEHOLDER.search(text):
        return text  # nothing to fill: no read of the schedule
    _rules, reductions = _schedule(procedure)

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == REDUCTION:
            general = [r for r in reductions if r.covers(on) and r.min_age is None and r.below_age is None]
            return " ".join(r.display_basis() for r in sorted(general, key=lambda r: r.starts_on))
        return fee_amount_text(fee_quote(procedure=procedure, reason=name, on=on, age=None))

    rendered = _PLACEHOLDER.sub(replace, text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in rendered.splitlines()).strip()
