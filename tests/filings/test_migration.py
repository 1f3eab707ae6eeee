"""The data migration: every identity-card declaration and every other procedure's request becomes one Filing with
the same code, answers and appointment, its review history as the timeline; no filing is lost."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("filings", "0002_submitted_index"),
    ("declarations", "0001_initial"),
    ("procedures", "0004_officer_note_help"),
    ("backoffice", "0004_search_indexes"),
]
AFTER = [("filings", "0003_copy_declarations_and_requests")]
AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_declarations_and_requests_become_filings():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Procedure = old.get_model("procedures", "Procedure")
    identity, _ = Procedure.objects.get_or_create(slug="cap-cccd", defaults={"name": "Cấp thẻ căn cước"})
    passport, _ = Procedure.objects.get_or_create(slug="ho-chieu", defaults={"name": "Cấp hộ chiếu"})
    Declaration = old.get_model("declarations", "Declaration")
    OldDraft = old.get_model("declarations", "Draft")
    FilingReview = old.get_model("backoffice", "FilingReview")
    ProcedureRequest = old.get_model("procedures", "ProcedureRequest")
    StateTransition = old.get_model("backoffice", "StateTransition")
    ContentType = old.get_model("contenttypes", "ContentType")

    common = {"birth_date": "1990-09-05", "phone": "+84912345678", "sex": "M", "id_number": "079090123456"}
    returned = Declaration.objects.create(
        code="AAAAAAAA2", procedure=identity, holder_name="NGUYỄN VĂN AN", request_type="issue",
        reason="first_card", answers={"full_name": "NGUYỄN VĂN AN"}, **common,
    )  # fmt: skip
    Declaration.objects.filter(pk=returned.pk).update(submitted_at=AT)
    review = FilingReview.objects.create(declaration=returned, state="needs_correction")
    review_type = ContentType.objects.get_or_create(app_label="backoffice", model="filingreview")[0]
    StateTransition.objects.create(
        content_type=review_type, object_id=str(review.pk), source="submitted", target="needs_correction",
        reason="Ảnh mờ", at=AT,
    )  # fmt: skip
    cancelled = Declaration.objects.create(
        code="BBBBBBBB3", procedure=identity, holder_name="TRẦN THỊ BÌNH", request_type="renew",
        reason="expired", status="cancelled", answers={}, **common,
    )  # fmt: skip
    OldDraft.objects.create(declaration=cancelled, expires_at=AT, data={"": {"reason": "expired"}})
    OldDraft.objects.create(expires_at=AT, data={"": {"reason": "lost"}})
    ProcedureRequest.objects.create(
        procedure=passport, code="CCCCCCCC4", holder_name="Lê Văn Cường", phone="+84901234567",
        data={"id_number": "079203001234", "purpose": "tourism"}, status="accepted", submitted_at=AT,
    )  # fmt: skip
    ProcedureRequest.objects.create(procedure=passport, code="DDDDDDDD5", holder_name="Chưa xác nhận",
                                    phone="+84901234568", status="draft")  # fmt: skip

    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Filing = new.get_model("filings", "Filing")
    Draft = new.get_model("filings", "Draft")

    filings = {f.code: f for f in Filing.objects.all()}
    assert set(filings) == {"AAAAAAAA2", "BBBBBBBB3", "CCCCCCCC4"}  # the unconfirmed request is no filing
    first = filings["AAAAAAAA2"]
    assert (first.state, first.procedure_id, first.holder_name, first.id_number) == (
        "returned", identity.pk, "NGUYỄN VĂN AN", "079090123456",
    )  # fmt: skip
    assert first.answers == {"full_name": "NGUYỄN VĂN AN", "request_type": "issue", "reason": "first_card", "sex": "M"}
    assert list(first.events.values_list("source", "state", "reason")) == [
        ("", "submitted", ""),
        ("submitted", "returned", "Ảnh mờ"),
    ]
    assert filings["BBBBBBBB3"].state == "cancelled"
    request = filings["CCCCCCCC4"]
    assert (request.state, request.answers["purpose"], request.id_number) == ("in_progress", "tourism", "079203001234")
    assert Draft.objects.count() == 2
    assert Draft.objects.get(filing__isnull=False).filing.code == "BBBBBBBB3"

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
