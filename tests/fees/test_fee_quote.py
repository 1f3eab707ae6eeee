"""The identity card's fee schedule as loaded by the data migration, checked against the law's table
(cccd-facts.md §3: TT 73/2024/TT-BTC amounts, Art. 38 of the 2023 Identity Law, TT 64/2025/TT-BTC's 50 % until
31/12/2026, TT 73 Art. 5 exemptions), and the schedule's rules when officers change it."""

from datetime import date

import pytest

from apps.fees.models import FeeReduction, FeeRule
from apps.fees.selectors import fee_quote

pytestmark = pytest.mark.django_db

CARD = "cap-cccd"
HALF_LAST_DAY = date(2026, 12, 31)
FULL_FIRST_DAY = date(2027, 1, 4)
LEAP_DAY = date(2028, 2, 29)

# reason -> (amount on 31/12/2026, amount from 1/1/2027), for an adult aged 30 that day.
LAW_TABLE = {
    "first_card": (0, 0),
    "age_milestone": (0, 0),
    "card_error": (0, 0),
    "admin_units": (0, 0),
    "details_changed": (25_000, 50_000),
    "features_changed": (25_000, 50_000),
    "sex_changed": (25_000, 50_000),
    "number_reset": (25_000, 50_000),
    "own_request": (25_000, 50_000),
    "cccd_to_card": (15_000, 30_000),
    "lost": (35_000, 70_000),
    "damaged": (35_000, 70_000),
    "nationality_regained": (35_000, 70_000),
}


@pytest.mark.parametrize(("reason", "amounts"), LAW_TABLE.items())
def test_adult_fees_before_and_after_the_half_price_period(reason, amounts):
    half, full = amounts
    assert fee_quote(procedure=CARD, reason=reason, on=HALF_LAST_DAY, age=30).amount == half
    assert fee_quote(procedure=CARD, reason=reason, on=FULL_FIRST_DAY, age=30).amount == full
    assert fee_quote(procedure=CARD, reason=reason, on=LEAP_DAY, age=30).amount == full


def test_the_half_price_starts_on_1_july_2025():
    assert fee_quote(procedure=CARD, reason="lost", on=date(2025, 6, 30), age=30).amount == 70_000
    assert fee_quote(procedure=CARD, reason="lost", on=date(2025, 7, 1), age=30).amount == 35_000


def test_the_basis_names_the_circular_that_applies():
    half = fee_quote(procedure=CARD, reason="lost", on=HALF_LAST_DAY, age=30)
    full = fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=30)
    free = fee_quote(procedure=CARD, reason="first_card", on=FULL_FIRST_DAY, age=30)
    assert "64/2025" in half.basis and half.full_amount == 70_000 and half.percent_off == 50
    assert "73/2024" in full.basis and full.percent_off == 0
    assert "Điều 38" in free.basis and free.is_free


@pytest.mark.parametrize(
    ("age", "amount"),
    [(0, 0), (15, 0), (16, 70_000), (59, 70_000), (60, 0), (88, 0), (None, 70_000)],
)
def test_children_under_16_and_people_60_or_over_are_exempt(age, amount):
    quote = fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=age)
    assert quote.amount == amount
    if amount == 0:
        assert "Điều 5" in quote.basis


def test_the_exemption_beats_the_half_price():
    assert fee_quote(procedure=CARD, reason="damaged", on=HALF_LAST_DAY, age=12).amount == 0


def test_english_basis_in_english():
    from django.utils import translation

    with translation.override("en"):
        quote = fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=30)
    assert quote.basis == "Standard fee (TT 73/2024/TT-BTC)."


def test_no_fee_known_for_an_unknown_reason_or_procedure():
    assert fee_quote(procedure=CARD, reason="no-such-reason", on=FULL_FIRST_DAY) is None
    assert fee_quote(procedure="ho-chieu", reason="lost", on=FULL_FIRST_DAY) is None
    assert fee_quote(procedure=CARD, reason="lost", on=date(2024, 10, 20)) is None  # before TT 73


def test_moving_the_reductions_end_date_changes_quotes_at_once():
    assert fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=30).amount == 70_000  # now cached
    reduction = FeeReduction.objects.get(procedure_slug=CARD, percent=50)
    reduction.ends_on = date(2027, 6, 30)
    reduction.save()
    assert fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=30).amount == 35_000
    assert fee_quote(procedure=CARD, reason="lost", on=date(2027, 7, 1), age=30).amount == 70_000


def test_a_new_rule_takes_over_from_its_first_day():
    FeeRule.objects.create(
        procedure_slug=CARD, reason="lost", amount=90_000, starts_on=date(2028, 1, 1), basis="Thông tư mới"
    )
    assert fee_quote(procedure=CARD, reason="lost", on=date(2027, 12, 31), age=30).amount == 70_000
    quote = fee_quote(procedure=CARD, reason="lost", on=LEAP_DAY, age=30)
    assert (quote.amount, quote.basis) == (90_000, "Thông tư mới")


def test_a_reason_rule_beats_the_procedures_catch_all():
    FeeRule.objects.create(procedure_slug="ho-chieu", reason="", amount=200_000, starts_on=date(2021, 7, 1), basis="a")
    FeeRule.objects.create(
        procedure_slug="ho-chieu", reason="lost", amount=400_000, starts_on=date(2021, 7, 1), basis="b"
    )
    assert fee_quote(procedure="ho-chieu", reason="new", on=LEAP_DAY).amount == 200_000
    assert fee_quote(procedure="ho-chieu", reason="lost", on=LEAP_DAY).amount == 400_000


def test_deleting_a_rule_is_seen_at_once():
    assert fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=30) is not None
    FeeRule.objects.filter(procedure_slug=CARD, reason="lost").delete()
    assert fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY, age=30) is None


def test_a_warm_quote_needs_no_query(django_assert_num_queries):
    fee_quote(procedure=CARD, reason="lost", on=FULL_FIRST_DAY)
    with django_assert_num_queries(0):
        fee_quote(procedure=CARD, reason="own_request", on=HALF_LAST_DAY, age=40)
