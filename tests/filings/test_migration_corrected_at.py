"""filings 0010: a filing corrected before the migration gets the time of its latest correction as `corrected_at`
(so it shows as waiting for a new check when it is back in "submitted"); one never corrected gets none."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("filings", "0009_unit_scope_indexes")]
AFTER = [("filings", "0010_corrected_at")]
FIRST = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LATEST = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_corrected_filings_get_the_time_of_their_latest_correction():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Procedure = old.get_model("procedures", "Procedure")
    Filing = old.get_model("filings", "Filing")
    FilingVersion = old.get_model("filings", "FilingVersion")
    passport, _ = Procedure.objects.get_or_create(slug="ho-chieu", defaults={"name": "Cấp hộ chiếu"})
    common = {"procedure": passport, "holder_name": "Lê Văn Cường", "phone": "+84901234567", "submitted_at": FIRST}
    corrected = Filing.objects.create(code="EEEEEEEE6", state="submitted", **common)
    untouched = Filing.objects.create(code="FFFFFFFF7", state="submitted", **common)
    FilingVersion.objects.create(filing=corrected, number=1, holder_name="A", replaced_at=FIRST)
    FilingVersion.objects.create(filing=corrected, number=2, holder_name="B", replaced_at=LATEST)

    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("filings", "Filing")
    assert new.objects.get(pk=corrected.pk).corrected_at == LATEST
    assert new.objects.get(pk=untouched.pk).corrected_at is None

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
