"""The filings in the back office (the identity card's here): per-unit isolation of every page and action, audit,
masking, search without accents, the review workflow and its link with the counter, and the list's query budget."""

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.backoffice import roles
from apps.backoffice.models import AuditLogEntry
from apps.backoffice.services import appointment_check_in, appointment_mark_no_show, filing_review_move
from apps.core.codes import code_format
from apps.filings.models import Filing
from apps.notifications.models import Notification

from .factories import OfficerFactory, appointment_create, declaration_create

pytestmark = pytest.mark.django_db


def _at(hour, minute=0, days=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def reviewer_a(role_groups, ward_a):
    return OfficerFactory(username="kiemtra.p1", units=[ward_a], roles=[roles.REVIEWER])


@pytest.fixture
def own(ward_a):
    return declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(8)), name="NGUYỄN VĂN A")


@pytest.fixture
def other(ward_b):
    return declaration_create(
        appointment=appointment_create(unit=ward_b, starts_at=_at(8)),
        name="TRẦN THỊ BÍ MẬT",
        id_number="079303009999",
        phone="+84987654321",
    )


def _changelist(client, **params):
    return client.get(reverse("admin:filings_filing_changelist"), params)


# --- Isolation --------------------------------------------------------------------------------------------
def test_list_shows_only_own_units(client, reviewer_a, own, other):
    client.force_login(reviewer_a)
    response = _changelist(client)
    assert list(response.context["cl"].result_list) == [own]
    assert "TRẦN THỊ BÍ MẬT" not in response.content.decode()


@pytest.mark.parametrize("view", ["change", "history", "transition", "cc01", "dc02"])
def test_another_units_declaration_is_not_found_whatever_the_url(client, reviewer_a, other, view):
    client.force_login(reviewer_a)
    response = client.get(reverse(f"admin:filings_filing_{view}", args=[other.pk]))
    assert response.status_code == 404
    assert not AuditLogEntry.objects.filter(action="view").exists()


def test_another_units_declaration_cannot_be_moved_by_post(client, reviewer_a, other):
    client.force_login(reviewer_a)
    url = reverse("admin:filings_filing_transition", args=[other.pk])
    assert client.post(url, {"target": "received"}).status_code == 404
    assert Filing.objects.get(pk=other.pk).state == "submitted"


@pytest.mark.parametrize("action", ["export_csv", "export_xlsx"])
def test_actions_ignore_another_units_ids(client, reviewer_a, own, other, action, django_capture_on_commit_callbacks):
    from tests.exports.helpers import export_through_admin

    client.force_login(reviewer_a)
    url = reverse("admin:filings_filing_changelist")
    data = {"action": action, "_selected_action": [own.pk, other.pk]}
    if action.startswith("export_"):
        _job, content = export_through_admin(client, django_capture_on_commit_callbacks, url, data)
    else:
        content = client.post(url, data).content
    assert b"BI MAT" not in content.upper()
    assert "TRẦN THỊ BÍ MẬT".encode() not in content
    if action == "export_xlsx":
        from openpyxl import load_workbook

        values = [c.value for row in load_workbook(BytesIO(content)).active.iter_rows() for c in row]
        assert own.code in values and other.code not in values
    other.refresh_from_db()
    assert other.state == "submitted"


def test_district_administrator_sees_every_unit(client, district_admin, own, other):
    client.force_login(district_admin)
    assert set(_changelist(client).context["cl"].result_list) == {own, other}
    assert client.get(reverse("admin:filings_filing_change", args=[other.pk])).status_code == 200


# --- Audit and masking ------------------------------------------------------------------------------------
def test_opening_and_printing_are_audited(client, reviewer_a, own):
    client.force_login(reviewer_a)
    assert client.get(reverse("admin:filings_filing_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:filings_filing_cc01", args=[own.pk])).status_code == 200
    entries = list(AuditLogEntry.objects.filter(object_id=str(own.pk)).order_by("id"))
    assert [(e.action, e.user) for e in entries] == [("view", reviewer_a), ("view", reviewer_a)]
    assert entries[1].detail == "cc01.html"
    assert entries[0].unit == own.appointment.unit


def test_list_masks_card_number_and_phone(client, reviewer_a, own):
    client.force_login(reviewer_a)
    page = _changelist(client).content.decode()
    assert "********1234" in page
    assert "090****567" in page
    assert "079203001234" not in page
    assert "0901234567" not in page and "+84901234567" not in page


# --- Search -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "term",
    [
        "nguyen van a",
        "NGUYEN VAN A",
        "Nguyễn Văn A",
        "nguyễn",
        "nguyen  van",
        "079203001234",
        "0901234567",
        "+84901234567",
    ],
)
def test_search_finds_by_name_without_accents_card_or_phone(client, reviewer_a, own, term):
    declaration_create(appointment=appointment_create(unit=own.appointment.unit, starts_at=_at(9)), name="LÊ THỊ B",
                       id_number="001099000001", phone="+84912000111")  # fmt: skip
    client.force_login(reviewer_a)
    assert list(_changelist(client, q=term).context["cl"].result_list) == [own]


def test_search_by_code_in_any_form(client, reviewer_a, own):
    client.force_login(reviewer_a)
    for term in (own.code, own.code.lower(), code_format(own.code), f" {code_format(own.code).lower()} "):
        assert list(_changelist(client, q=term).context["cl"].result_list) == [own]


def test_search_stays_within_own_units(client, reviewer_a, own, other):
    client.force_login(reviewer_a)
    for term in ("tran thi", other.code, "079303009999", "0987654321"):
        assert list(_changelist(client, q=term).context["cl"].result_list) == []


def test_search_that_matches_nothing(client, reviewer_a, own):
    client.force_login(reviewer_a)
    assert list(_changelist(client, q="pham").context["cl"].result_list) == []
    assert list(_changelist(client, q="van b").context["cl"].result_list) == []  # every word must appear
    assert list(_changelist(client, q="nguyen pham").context["cl"].result_list) == []


# --- Review workflow --------------------------------------------------------------------------------------
def test_reviewer_moves_a_declaration_and_the_citizen_is_told(client, reviewer_a, own):
    client.force_login(reviewer_a)
    url = reverse("admin:filings_filing_transition", args=[own.pk])
    page = client.get(reverse("admin:filings_filing_change", args=[own.pk])).content.decode()
    assert "?target=received" in page and "?target=ready" not in page
    response = client.post(url, {"target": "returned", "reason": ""})
    assert response.context["form"].errors["reason"]
    response = client.post(url, {"target": "returned", "reason": "Ảnh chân dung bị mờ"})
    assert response.status_code == 302
    assert Filing.objects.get(pk=own.pk).state == "returned"
    event = own.events.last()
    assert (event.user, event.source, event.reason) == (reviewer_a, "submitted", "Ảnh chân dung bị mờ")
    message = Notification.objects.get(kind="filing_status_changed")
    assert message.context["reference"] == code_format(own.code)
    assert message.context["status"] == "Trả lại để bổ sung, sửa đổi"
    assert message.context["note"] == "Ảnh chân dung bị mờ"
    assert message.context["url"].endswith("/tra-cuu/")
    history = client.get(reverse("admin:filings_filing_change", args=[own.pk])).content.decode()
    assert "Ảnh chân dung bị mờ" in history


def test_invalid_transitions_are_impossible(client, reviewer_a, own):
    client.force_login(reviewer_a)
    url = reverse("admin:filings_filing_transition", args=[own.pk])
    for target in ("ready", "attended_x", "submitted"):
        response = client.post(url, {"target": target})
        assert response.status_code == 200
        assert response.context["form"].errors
    with pytest.raises(ValidationError):
        filing_review_move(filing=own, target="ready", user=reviewer_a)
    assert Filing.objects.get(pk=own.pk).state == "submitted"


def test_counter_officer_cannot_review(client, counter_a, own):
    client.force_login(counter_a)
    assert client.get(reverse("admin:filings_filing_change", args=[own.pk])).status_code == 200
    url = reverse("admin:filings_filing_transition", args=[own.pk])
    assert client.post(url, {"target": "received"}).status_code == 403


def test_arrival_and_absence_at_the_counter_move_the_review(counter_a, ward_a, own):
    appointment_check_in(appointment=own.appointment, user=counter_a, unit=ward_a)
    assert Filing.objects.get(pk=own.pk).state == "received"
    missed = declaration_create(
        appointment=appointment_create(unit=ward_a, starts_at=timezone.now() - timedelta(minutes=30)), name="VẮNG"
    )
    appointment_mark_no_show(appointment=missed.appointment, user=counter_a)
    assert Filing.objects.get(pk=missed.pk).state == "no_show"


def test_check_in_page_links_to_the_declaration(client, counter_a, ward_a, own):
    client.force_login(counter_a)
    response = client.post(reverse("backoffice:check-in"), {"unit": ward_a.pk, "scan": own.code})
    assert reverse("admin:filings_filing_change", args=[own.pk]) in response.content.decode()


# --- Query budget -----------------------------------------------------------------------------------------
def test_list_query_budget(client, reviewer_a, ward_a):
    client.force_login(reviewer_a)

    def count(**params):
        client.get(reverse("admin:filings_filing_changelist"), params)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("admin:filings_filing_changelist"), params).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(8, i * 15)))
    few, few_search = count(), count(q="nguyen")
    for i in range(40):
        declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(9 + i // 4, (i % 4) * 15)))
    assert count() == few <= 14
    assert count(q="nguyen") == few_search <= 14


@pytest.mark.postgres
def test_name_search_uses_the_index_with_many_declarations(ward_a):
    """Tens of thousands of declarations: the name search (any part, without accents) is a trigram index scan,
    not a pass over every row."""
    from apps.backoffice.selectors import filing_search_q
    from apps.backoffice.text import search_normalize
    from tests.appointments.factories import ProcedureFactory

    procedure = ProcedureFactory()
    names = ["NGUYỄN VĂN", "TRẦN THỊ", "LÊ HOÀNG", "PHẠM MINH", "HOÀNG ĐỨC", "VÕ THANH", "ĐẶNG QUỐC", "BÙI THU"]
    Filing.objects.bulk_create(
        Filing(
            code=f"T{i:07d}",
            procedure=procedure,
            holder_name=f"{names[i % len(names)]} {i}",
            birth_date="1990-01-01",
            phone="+84901234567",
            id_number=f"{i:012d}",
            answers={"request_type": "issue", "reason": "first_card", "sex": "M"},
        )
        for i in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE filings_filing")
        # The rows just inserted wait in the trigram index's pending list (merged by autovacuum in a live database),
        # which the planner counts as a cost of the index.
        cursor.execute("SELECT gin_clean_pending_list('filings_filing_name_key_srch'::regclass)")
    queryset = Filing.objects.filter(filing_search_q(term="Nguyễn Văn 1232"))
    names = [d.holder_name for d in queryset]
    assert "NGUYỄN VĂN 1232" in names
    assert all({"nguyen", "van"} <= set(search_normalize(n).split()) and "1232" in n for n in names)
    plan = queryset.explain()
    assert "filings_filing_name_key_srch" in plan, plan


def test_a_review_move_is_audited_in_vietnamese_with_its_reason(reviewer_a, own):
    from apps.backoffice.models import AuditLogEntry

    filing_review_move(filing=own, target="returned", user=reviewer_a, reason="Ảnh chân dung bị mờ")
    entry = AuditLogEntry.objects.get(object_id=str(own.pk), action="transition")
    assert entry.detail == "Đã nộp → Trả lại để bổ sung, sửa đổi: Ảnh chân dung bị mờ"
