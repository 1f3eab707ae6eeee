"""Issue 12.14: names in both journeys. Too long: refused with a message, never cut (no maxlength in the page);
no accents at all: a warning the citizen may confirm."""

import pytest

from apps.declarations import forms
from apps.procedures.forms.registry import form_class_for
from tests.procedures.journey import sample_data

from .factories import about_data

LONG = "Nguyễn " + "Thị Ngọc " * 12 + "Ánh"  # 118 characters


def test_a_long_name_is_refused_with_a_message_and_kept_whole():
    assert len(LONG) > 100
    form = forms.AboutForm(data=about_data(full_name=LONG))
    assert not form.is_valid()
    error = form.errors.as_data()["full_name"][0]
    assert error.code == "max_length"
    assert "118" in error.messages[0] and "100" in error.messages[0]
    html = str(form["full_name"])
    assert "maxlength" not in html  # a phone never drops the end of a pasted name
    assert LONG in html  # what was typed is shown back, whole


def test_a_name_without_accents_gets_a_warning_the_citizen_may_confirm():
    form = forms.AboutForm(data=about_data(full_name="Nguyen Van An"))
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["full_name"]] == ["no_accents"]
    assert "accents_confirmed" in form.fields
    confirmed = forms.AboutForm(data=about_data(full_name="Nguyen Van An", accents_confirmed="on"))
    assert confirmed.is_valid(), confirmed.errors
    assert confirmed.cleaned_data["full_name"] == "NGUYEN VAN AN"


def test_a_name_with_accents_has_no_box():
    form = forms.AboutForm(data=about_data())
    assert form.is_valid(), form.errors
    assert "accents_confirmed" not in form.fields


@pytest.mark.django_db
def test_the_other_procedures_follow_the_same_rules(demo_data):
    form_class = form_class_for("dang-ky-xe")
    long = form_class(data={**sample_data("dang-ky-xe"), "holder_name": LONG})
    assert not long.is_valid() and long.errors.as_data()["holder_name"][0].code == "max_length"
    assert "maxlength" not in str(long["holder_name"])
    plain = form_class(data={**sample_data("dang-ky-xe"), "holder_name": "Tran Thi Binh"})
    assert not plain.is_valid() and plain.errors.as_data()["holder_name"][0].code == "no_accents"
    confirmed = form_class(
        data={**sample_data("dang-ky-xe"), "holder_name": "Tran Thi Binh", "accents_confirmed": "on"}
    )
    assert confirmed.is_valid(), confirmed.errors
