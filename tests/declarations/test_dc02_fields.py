"""The identity-card journey asks what DC02 asks (TT 17/2024, since 1 July 2024), not the CC01-era questions; a
draft started before keeps working and a filing made before keeps its answers."""

import pytest

from apps.declarations import selectors
from apps.filings import services as filings_services

from .factories import STEP_DATA, booked_declaration, submitted_declaration

pytestmark = pytest.mark.django_db

CC01_ONLY = {"ethnicity", "religion", "marital_status", "hometown", "mother_name", "head_name", "occupation"}


def test_a_new_filing_stores_dc02_answers_as_form_version_2(demo_data):
    filing = booked_declaration()
    assert filing.form_version == 2
    assert not CC01_ONLY & set(filing.answers)
    assert {"full_name", "birth_date", "sex", "id_number", "phone", "delivery"} <= set(filing.answers)


def test_a_draft_started_with_the_old_steps_still_completes_without_the_old_answers():
    draft = filings_services.draft_create(procedure_slug="cap-cccd")
    old_about = {**STEP_DATA["ban-than"](), "ethnicity": "Kinh", "religion": "Không", "hometown": "Bình Chánh"}
    for slug, data in {**{s: f() for s, f in STEP_DATA.items()}, "ban-than": old_about}.items():
        filings_services.draft_save_step(draft=draft, step=slug, data=data)
    filings_services.draft_save_step(draft=draft, step="gia-dinh", data={"mother_name": "Trần Thị Cúc"})
    answers, missing = selectors.draft_answers(draft=draft)
    assert missing is None
    assert not CC01_ONLY & set(answers)


def test_the_old_family_step_is_gone(client):
    assert client.get("/thu-tuc/cap-cccd/gia-dinh/").status_code == 404


def test_the_officer_still_reads_the_cc01_answers_of_an_older_filing(demo_data):
    from django.utils import translation

    from apps.declarations.summary import stored_answer_rows

    filing = submitted_declaration()
    old = {**filing.answers, "ethnicity": "Kinh", "marital_status": "married", "head_relation": "child"}
    with translation.override("en"):
        new_rows = {(str(r.section), str(r.label)): r.value for r in stored_answer_rows(filing.answers)}
        old_rows = {(str(r.section), str(r.label)): r.value for r in stored_answer_rows(old)}
    assert not any(section.startswith("Asked before") for section, _label in new_rows)
    section = "Asked before 1 July 2024 (form CC01)"
    assert old_rows[(section, "Ethnic group")] == "Kinh"
    assert old_rows[(section, "Your relation to the household head")] == "Child"
    assert old_rows[(section, "Marital status")] not in ("", "married")  # the label, not the code
