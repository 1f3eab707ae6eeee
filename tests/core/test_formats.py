import datetime

import pytest
from django import forms
from django.utils import translation


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("typed", ["02/12/2026", "02-12-2026", "2026-12-02"])
def test_dates_are_typed_day_first(language, typed):
    with translation.override(language):
        assert forms.DateField().clean(typed) == datetime.date(2026, 12, 2)


def test_officers_type_date_and_time_day_first():
    with translation.override("vi"):
        value = forms.DateTimeField().clean("02/12/2026 08:30")
    assert (value.day, value.month, value.hour) == (2, 12, 8)
