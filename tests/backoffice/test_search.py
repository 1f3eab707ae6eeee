"""The one search of the back office (apps/backoffice/search.py): every form of name, phone, card number and code
on each list and on SQLite and PostgreSQL alike; on PostgreSQL the name goes through the trigram index."""

from datetime import datetime, time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.appointments.models import Appointment
from apps.backoffice import roles
from apps.backoffice.search import SearchFields, search_q, search_term_parse
from apps.core.codes import check_character, code_format

from .factories import OfficerFactory, appointment_create, declaration_create

pytestmark = pytest.mark.django_db

# A code whose check character is known: payload + check_character(payload).
PAYLOAD = "K7MX3PQ9"
CODE = PAYLOAD + check_character(PAYLOAD)
FIELDS = SearchFields(code=("reference",), phone=("phone",), id_number=("id_number",), name=("holder_name",))


def _at(hour, minute=0):
    return datetime.combine(timezone.localdate(), time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("hong nhung", {"words": ("hong", "nhung")}),
        ("  NGUYỄN   Văn An ", {"words": ("nguyen", "van", "an")}),
        ("Đặng", {"words": ("dang",)}),
        ("0912 345 678", {"phone": "+84912345678", "phone_part": "912345678"}),
        ("+84 912-345-678", {"phone": "+84912345678", "phone_part": "912345678"}),
        ("(091) 234.5678", {"phone": "+84912345678", "phone_part": "912345678"}),
        ("079090001234", {"id_number": "079090001234", "phone_part": "79090001234"}),
        ("5678", {"phone_part": "5678", "code_part": "5678"}),
        ("3pq9", {"code_part": "3PQ9", "words": ("3pq9",)}),
    ],
)
def test_term_parse(term, expected):
    parsed = search_term_parse(term)
    fields = ("code", "code_part", "phone", "phone_part", "id_number", "id_part", "words")
    empty = {"code": "", "code_part": "", "phone": "", "phone_part": "", "id_number": "", "id_part": "", "words": ()}
    assert {f: getattr(parsed, f) for f in fields} == {**empty, **expected}


def test_term_parse_codes():
    assert search_term_parse(code_format(CODE).lower()).code == CODE
    assert search_term_parse(f"{PAYLOAD[:4]}-{PAYLOAD[4:]}").code_part == PAYLOAD  # without its check character
    assert search_term_parse("").raw == ""


@pytest.fixture
def people(ward_a):
    rows = {
        "nhung": appointment_create(
            unit=ward_a, starts_at=_at(8), name="NGUYỄN THỊ HỒNG NHUNG", reference=CODE, phone="+84912345678",
            id_number="079190001111",
        ),
        "an": appointment_create(
            unit=ward_a, starts_at=_at(8, 15), name="Nguyễn Văn An", phone="+84987000222", id_number="079090002222"
        ),
        "dang": appointment_create(
            unit=ward_a, starts_at=_at(8, 30), name="ĐẶNG VĂN ĐÔNG", phone="+84355000333", id_number="001099003333"
        ),
    }  # fmt: skip
    return rows


SEARCHES = [
    ("hong nhung", {"nhung"}),
    ("HONG NHUNG", {"nhung"}),
    ("Hồng Nhung", {"nhung"}),
    ("nhung", {"nhung"}),
    ("nguyen", {"nhung", "an"}),
    ("nguyen van an", {"an"}),
    ("nguyen an", {"an"}),  # every word, in any place
    ("dang dong", {"dang"}),
    ("đặng", {"dang"}),
    ("van", {"an", "dang"}),
    ("0912 345 678", {"nhung"}),
    ("0912345678", {"nhung"}),
    ("+84912345678", {"nhung"}),
    ("+84 912 345 678", {"nhung"}),
    ("345678", {"nhung"}),  # a part of the phone
    ("079090002222", {"an"}),  # card number
    ("001099003333", {"dang"}),
    (CODE, {"nhung"}),
    (CODE.lower(), {"nhung"}),
    (code_format(CODE), {"nhung"}),
    (PAYLOAD, {"nhung"}),  # without the check character
    (code_format(PAYLOAD), {"nhung"}),
    (PAYLOAD[2:7], {"nhung"}),  # a part of the code
    ("tran", set()),
    ("van nhung", set()),
    ("0911111111", set()),
]


def _found(queryset, people, term):
    names = {v.pk: k for k, v in people.items()}
    return {names[pk] for pk in queryset.filter(search_q(term=term, fields=FIELDS)).values_list("pk", flat=True)}


@pytest.mark.parametrize(("term", "expected"), SEARCHES)
def test_search_finds_the_right_rows(people, term, expected):
    assert _found(Appointment.objects.all(), people, term) == expected


@pytest.mark.postgres
def test_search_finds_the_right_rows_on_postgresql(people):
    for term, expected in SEARCHES:
        assert _found(Appointment.objects.all(), people, term) == expected, term


@pytest.mark.postgres
def test_name_search_uses_the_trigram_index(people):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        queryset = Appointment.objects.filter(search_q(term="hong nhung", fields=SearchFields(name=("holder_name",))))
        # Without the list's order: with seq scans off, a full scan of a btree that gives the order competes with
        # the trigram index once earlier tests have grown the table's pages (rolled-back rows), whatever the search.
        plan = queryset.order_by().explain()
    assert "appointments_appointment_holder_name_srch" in plan, plan


# --- Every list uses it --------------------------------------------------------------------------------------
@pytest.fixture
def district_officer(role_groups, district):
    return OfficerFactory(username="quantri.q4", units=[district], roles=[roles.DISTRICT_ADMINISTRATOR])


def _result(client, url_name, term):
    response = client.get(reverse(url_name), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_appointments_list(client, district_officer, people):
    client.force_login(district_officer)
    assert _result(client, "admin:appointments_appointment_changelist", "hong nhung") == [people["nhung"]]
    assert _result(client, "admin:appointments_appointment_changelist", code_format(PAYLOAD)) == [people["nhung"]]


def test_declarations_list(client, district_officer, ward_a):
    own = declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(9)), name="LÊ THỊ HỒNG NHUNG")
    declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(9, 15)), name="LÊ VĂN TÁM")
    client.force_login(district_officer)
    assert _result(client, "admin:filings_filing_changelist", "hong nhung") == [own]
    assert _result(client, "admin:filings_filing_changelist", own.code[1:6]) == [own]


def test_other_procedures_filings_in_the_same_list(client, district_officer, ward_a):
    from apps.filings.models import Filing
    from tests.procedures.factories import ProcedureFactory

    procedure = ProcedureFactory()
    appointment = appointment_create(unit=ward_a, starts_at=_at(9), procedure=procedure, reference=CODE)
    filing = Filing.objects.create(
        procedure=procedure, code=CODE, holder_name="Phạm Thị Hồng Nhung", phone="+84912345678",
        appointment=appointment, answers={},
    )  # fmt: skip
    client.force_login(district_officer)
    for term in ("hong nhung", "0912 345 678", PAYLOAD):
        assert _result(client, "admin:filings_filing_changelist", term) == [filing], term
    assert _result(client, "admin:filings_filing_changelist", "tran") == []


def test_reports_list(client, district_officer, ward_a):
    from tests.reports.factories import ReportFactory

    report = ReportFactory(unit=ward_a, contact_name="Võ Thị Hồng Nhung", contact_phone="+84912345678")
    ReportFactory(unit=ward_a, contact_name="Lý Văn Tư", contact_phone="+84987654321")
    client.force_login(district_officer)
    for term in ("hong nhung", "0912 345 678", code_format(report.code)):
        assert _result(client, "admin:reports_report_changelist", term) == [report], term


def test_messages_list(client, district_officer):
    from django.contrib.auth.models import Permission

    from apps.notifications.models import Notification

    wanted = Notification.objects.create(
        kind="filing_confirmed", phone="+84912345678", idempotency_key="a" * 32, verification_code="AB23CD",
        context={"name": "NGUYỄN THỊ HỒNG NHUNG", "code": code_format(CODE)},
    )  # fmt: skip
    Notification.objects.create(
        kind="filing_confirmed", phone="+84987654321", idempotency_key="b" * 32, verification_code="XY45WV",
        context={"name": "LÊ VĂN TÁM", "code": "ABCD-EFGH-J"},
    )  # fmt: skip
    district_officer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(district_officer)
    for term in ("0912 345 678", "+84912345678", "345 678", "AB23CD", "ab23-cd"):
        assert _result(client, "admin:notifications_notification_changelist", term) == [wanted], term
    # Restricted to what an index answers on 2,000,000 rows: not the name or filing code in the message's data,
    # nor a part of the verification code (see NotificationAdmin.search_spec).
    for term in ("hong nhung", CODE, "AB23"):  # CODE: no filing has it here
        assert _result(client, "admin:notifications_notification_changelist", term) == [], term


def test_messages_list_finds_the_messages_about_a_filing_by_its_whole_code(client, district_officer, ward_a):
    from django.contrib.auth.models import Permission

    from apps.notifications.models import Notification

    booking = appointment_create(unit=ward_a, starts_at=_at(9), reference=CODE)
    filing = declaration_create(appointment=booking)
    other = declaration_create()

    def message(n, subject):
        return Notification.objects.create(
            kind="filing_confirmed", phone="+84912345678", idempotency_key=f"{n}" * 32, verification_code=f"AB2{n}CD",
            subject=subject,
        )  # fmt: skip

    confirmed, reminder, _other = message(1, filing), message(2, booking), message(3, other)
    district_officer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(district_officer)
    for term in (CODE, code_format(CODE), code_format(CODE).lower()):
        found = _result(client, "admin:notifications_notification_changelist", term)
        assert sorted(found, key=lambda n: n.pk) == [confirmed, reminder], term
    # A part of the code is not searched on this table (2,000,000 rows).
    assert _result(client, "admin:notifications_notification_changelist", CODE[:5]) == []
