"""0011: the declaration_* kinds become filing_* in stored messages, limit records and templates; a template still
holding the shipped text gets the new one, an edited one keeps its words with the code named "mã hồ sơ"."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("notifications", "0010_lean_indexes")]
AFTER = [("notifications", "0011_filing_kinds_and_code_names")]


@pytest.mark.django_db(transaction=True)
def test_kinds_are_renamed_and_texts_name_the_code():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Template = old.get_model("notifications", "MessageTemplate")
    Notification = old.get_model("notifications", "Notification")
    CeilingTrip = old.get_model("notifications", "CeilingTrip")
    Template.objects.all().delete()
    shipped = (
        "Công an đã nhận tờ khai căn cước của {name}, mã hồ sơ {code}. "
        "Mời bạn đến {unit}, {address} lúc {time} ngày {date}. Xem hồ sơ: {url}"
    )
    Template.objects.create(kind="declaration_confirmed", language="vi", subject="Xác nhận", body=shipped)
    Template.objects.create(
        kind="declaration_status_changed", language="en", subject="Your file was updated",
        body="File {code} of {name} is now: {status}. {note} Details: {url}",
    )  # fmt: skip
    Template.objects.create(
        kind="appointment_reminder", language="vi", subject="Nhắc",
        body="Quận 4 nhắc {name}: mai {time} tại {unit} (Mã {reference}).",
    )  # fmt: skip
    Template.objects.create(
        kind="report_received", language="en", subject="Got it", body="We got report {reference}, code {reference}."
    )
    Notification.objects.create(kind="declaration_status_changed", phone="+84912345678", idempotency_key="a" * 32)
    CeilingTrip.objects.create(day=date(2026, 12, 1), kind="declaration_confirmed", scope="global", count=3)

    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Template = new.get_model("notifications", "MessageTemplate")
    texts = {(t.kind, t.language): (t.subject, t.body) for t in Template.objects.all()}
    assert texts[("filing_confirmed", "vi")] == (
        "Xác nhận",
        "Công an đã nhận tờ khai căn cước của {name}, mã hồ sơ {reference}. "
        "Mời bạn đến {unit}, {address} lúc {time} ngày {date}. Xem hồ sơ: {url}",
    )
    # The shipped English text, subject included, is replaced by the new shipped text.
    assert texts[("filing_status_changed", "en")] == (
        "Your filing was updated",
        "The filing of {name}, filing code {reference}, is now: {status}. {note} Details: {url}",
    )
    # Edited texts keep their words; the code gets its one name.
    assert (
        texts[("appointment_reminder", "vi")][1] == "Quận 4 nhắc {name}: mai {time} tại {unit} (mã hồ sơ {reference})."
    )
    assert texts[("report_received", "en")][1] == "We got report tracking code {reference}, tracking code {reference}."
    assert new.get_model("notifications", "Notification").objects.get().kind == "filing_status_changed"
    assert new.get_model("notifications", "CeilingTrip").objects.get().kind == "filing_confirmed"

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
