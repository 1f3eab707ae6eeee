"""filings 0006 + backoffice 0007: the back office's own history of state changes goes; a filing's change recorded
only there is copied into the filing's timeline first (once), so no step of any filing's history is lost."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("filings", "0005_correction_versions"), ("backoffice", "0006_delete_filingreview")]
AFTER = [("backoffice", "0007_delete_statetransition")]
AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_state_changes_only_the_back_office_recorded_join_the_timeline():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Procedure = old.get_model("procedures", "Procedure")
    Filing = old.get_model("filings", "Filing")
    FilingEvent = old.get_model("filings", "FilingEvent")
    StateTransition = old.get_model("backoffice", "StateTransition")
    ContentType = old.get_model("contenttypes", "ContentType")
    passport, _ = Procedure.objects.get_or_create(slug="ho-chieu", defaults={"name": "Cấp hộ chiếu"})
    filing = Filing.objects.create(
        code="EEEEEEEE6", procedure=passport, holder_name="Lê Văn Cường", phone="+84901234567", state="returned",
        submitted_at=AT,
    )  # fmt: skip
    FilingEvent.objects.create(filing=filing, at=AT, source="", state="submitted")
    FilingEvent.objects.create(filing=filing, at=AT, source="submitted", state="received")
    filing_type = ContentType.objects.get_or_create(app_label="filings", model="filing")[0]
    common = {"content_type": filing_type, "object_id": str(filing.pk), "username": "kiemtra.q4"}
    # Recorded in both places (the usual case): not copied twice.
    StateTransition.objects.create(source="submitted", target="received", at=AT, **common)
    # Recorded only by the back office: joins the timeline.
    StateTransition.objects.create(source="received", target="returned", reason="Thiếu tờ khai.", at=AT, **common)
    # A filing deleted since: nothing to attach to.
    StateTransition.objects.create(source="submitted", target="cancelled", at=AT, **{**common, "object_id": "999999"})

    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    events = new.get_model("filings", "FilingEvent").objects.filter(filing_id=filing.pk).order_by("id")
    assert list(events.values_list("source", "state", "reason", "username")) == [
        ("", "submitted", "", ""),
        ("submitted", "received", "", ""),
        ("received", "returned", "Thiếu tờ khai.", "kiemtra.q4"),
    ]
    with pytest.raises(LookupError):
        new.get_model("backoffice", "StateTransition")

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
