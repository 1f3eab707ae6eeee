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


# The same searches through the stored normalised name (`name_key`, what the lists of appointments and filings use).
KEY_FIELDS = SearchFields(code=("reference",), phone=("phone",), id_number=("id_number",), name_key=("name_key",))


@pytest.mark.parametrize(("term", "expected"), SEARCHES)
def test_search_by_the_stored_name_key_finds_the_same_rows(people, term, expected):
    names = {v.pk: k for k, v in people.items()}
    found = Appointment.objects.filter(search_q(term=term, fields=KEY_FIELDS)).values_list("pk", flat=True)
    assert {names[pk] for pk in found} == expected


@pytest.mark.postgres
def test_name_search_uses_the_trigram_index(people):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        queryset = Appointment.objects.filter(search_q(term="hong nhung", fields=SearchFields(name_key=("name_key",))))
        # Without the list's order: with seq scans off, a full scan of a btree that gives the order competes with
        # the trigram index once earlier tests have grown the table's pages (rolled-back rows), whatever the search.
        plan = queryset.order_by().explain()
    assert "appointments_appointment_name_key_srch" in plan, plan


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


# --- A district's search for a common name, page by page (docs/scale.md, "A name search for every unit") --------
# Namesakes at several times and units, and people the search must not find; the list shows 3 a page, so the pages
# are read by ids first (EstimatedCountPaginator.ids_first) and each must hold the next 3 in the list's order.
NAMESAKES = [
    ("an-1", "ward_a", (8, 0), "Nguyễn Văn An"),
    ("an-2", "ward_b", (8, 0), "NGUYỄN VĂN AN"),  # the same time at another unit: after an-1 by id
    ("anh", "ward_a", (8, 15), "Nguyễn Văn Anh"),  # "an" is a part of "anh"
    ("lan", "ward_b", (9, 0), "Nguyễn Thị Lan"),  # not "van"
    ("binh", "ward_a", (9, 30), "Nguyễn Văn Bình"),  # "an" is a part of "van": every word appears
    ("tran", "ward_b", (10, 0), "Trần Văn An"),  # not "nguyen"
    ("an-3", "ward_a", (10, 45), "nguyen van an"),
    ("an-4", "ward_b", (7, 30), "Nguyễn  Văn  An"),  # the earliest
    ("an-5", "ward_a", (11, 0), "Nguyễn Văn An"),
]


@pytest.fixture
def namesakes(ward_a, ward_b):
    units = {"ward_a": ward_a, "ward_b": ward_b}
    return {
        key: appointment_create(unit=units[unit], starts_at=_at(*hm), name=name, phone=f"+8491200{n:04d}")
        for n, (key, unit, hm, name) in enumerate(NAMESAKES)
    }


def _pages(client, url_name, term, pages):
    return [
        [row.pk for row in client.get(reverse(url_name), {"q": term, "p": page}).context["cl"].result_list]
        for page in range(1, pages + 1)
    ]


@pytest.mark.parametrize("term", ["nguyen van an", "NGUYỄN văn AN", "Nguyễn Văn An"])
def test_a_district_name_search_pages_in_time_order(client, district_officer, namesakes, monkeypatch, term):
    from django.contrib import admin

    monkeypatch.setattr(admin.site._registry[Appointment], "list_per_page", 3)
    client.force_login(district_officer)
    pages = _pages(client, "admin:appointments_appointment_changelist", term, 3)
    expected = [["an-4", "an-1", "an-2"], ["anh", "binh", "an-3"], ["an-5"]]
    assert pages == [[namesakes[k].pk for k in page] for page in expected]


def test_a_partial_name_phone_and_code_on_the_paged_list(client, district_officer, namesakes, monkeypatch):
    from django.contrib import admin

    monkeypatch.setattr(admin.site._registry[Appointment], "list_per_page", 3)
    client.force_login(district_officer)
    url = "admin:appointments_appointment_changelist"
    assert _pages(client, url, "van an", 2) == [
        [namesakes[k].pk for k in ("an-4", "an-1", "an-2")],
        [namesakes[k].pk for k in ("anh", "binh", "tran")],  # any family name
    ]
    assert _pages(client, url, "tran van", 1) == [[namesakes["tran"].pk]]
    assert _pages(client, url, "0912 000 003", 1) == [[namesakes["lan"].pk]]
    assert _pages(client, url, namesakes["binh"].reference, 1) == [[namesakes["binh"].pk]]


def test_a_page_of_search_results_reads_its_ids_first(client, district_officer, namesakes, monkeypatch):
    """Two queries for the page: its ids alone, in the list's order, limited to the page (what an index holding
    the order and the name answers), then those rows with their joins."""
    from django.contrib import admin
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(admin.site._registry[Appointment], "list_per_page", 3)
    client.force_login(district_officer)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("admin:appointments_appointment_changelist"), {"q": "nguyen van an", "p": 2})
    table = '"appointments_appointment"'
    ids = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(f'SELECT {table}."id" AS "pk" FROM {table} WHERE')
    ]
    assert len(ids) == 1, ids
    assert 'ORDER BY "appointments_appointment"."slot_starts_at" ASC' in ids[0]
    assert "LIMIT 3 OFFSET 3" in ids[0]
    assert "JOIN" not in ids[0]  # no join: the order and the name are the appointment's own columns


def test_a_district_filings_name_search_pages_newest_first(client, district_officer, ward_a, monkeypatch):
    from datetime import timedelta

    from django.contrib import admin

    from apps.filings.models import Filing

    names = ["Nguyễn Văn An", "Nguyễn Thị Lan", "NGUYỄN VĂN ANH", "Trần Văn An", "nguyen van an", "Nguyễn Văn Bình"]
    filings = [declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(8 + n)), name=name)
               for n, name in enumerate(names)]  # fmt: skip
    for n, filing in enumerate(filings):  # submitted one day apart, the first the oldest
        Filing.objects.filter(pk=filing.pk).update(submitted_at=timezone.now() - timedelta(days=10 - n))
    monkeypatch.setattr(admin.site._registry[Filing], "list_per_page", 2)
    client.force_login(district_officer)
    pages = _pages(client, "admin:filings_filing_changelist", "nguyen van an", 2)
    assert pages == [[filings[5].pk, filings[4].pk], [filings[2].pk, filings[0].pk]]


PLANS = ["", "enable_indexonlyscan", "enable_bitmapscan", "enable_indexscan", "enable_seqscan", "enable_sort"]


@pytest.mark.postgres
@pytest.mark.parametrize("off", PLANS)
def test_the_pages_are_the_same_whatever_plan_postgresql_takes(client, district_officer, namesakes, monkeypatch, off):
    from django.contrib import admin

    monkeypatch.setattr(admin.site._registry[Appointment], "list_per_page", 3)
    client.force_login(district_officer)
    if off:
        with connection.cursor() as cursor:  # for the rest of the test's transaction, the requests' too
            cursor.execute(f"SET LOCAL {off} = off")
    pages = _pages(client, "admin:appointments_appointment_changelist", "nguyen van an", 3)
    expected = [["an-4", "an-1", "an-2"], ["anh", "binh", "an-3"], ["an-5"]]
    assert pages == [[namesakes[k].pk for k in page] for page in expected]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("model_name", "index"), [("appointment", "appointments_start_name"), ("filing", "filing_recent_name")]
)
def test_a_search_page_ids_can_be_read_from_the_index_alone(
    client, district_officer, namesakes, monkeypatch, model_name, index
):
    """Every column the ids' query reads (the order, the name, the code, the unit) is in the index: with the table
    scans and the sort off, PostgreSQL walks it as an index-only scan (a column missing from the index would make it
    an index scan that reads every row it walks past)."""
    from django.contrib import admin
    from django.test.utils import CaptureQueriesContext

    from apps.filings.models import Filing

    for appointment in namesakes.values():
        declaration_create(appointment=appointment, name=appointment.holder_name)
    for model in (Appointment, Filing):  # more than a page: the page is read by ids first
        monkeypatch.setattr(admin.site._registry[model], "list_per_page", 3)
    client.force_login(district_officer)
    with CaptureQueriesContext(connection) as captured:
        app = "appointments" if model_name == "appointment" else "filings"
        client.get(reverse(f"admin:{app}_{model_name}_changelist"), {"q": "nguyen van an"})
    ids_sql = next(q["sql"] for q in captured.captured_queries if ' AS "pk" FROM ' in q["sql"] and "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + ids_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Only Scan using {index}" in plan, plan
