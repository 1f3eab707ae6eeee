"""No English on any back-office page an officer sees in Vietnamese.

Every admin page (the index, each list with its filter panel, each add and change form, a form posted empty so
its errors show, each record's history, the counter's pages) is rendered in Vietnamese for a superuser and for a
unit officer, and its visible text (text nodes plus title, placeholder, aria-label, alt and button values) is
compared with every English source string of the project's catalogs and of Django's (admin, auth, forms,
content types) whose Vietnamese translation differs from it: a page showing such a string has an untranslated
piece.
"""

import contextlib
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parents[2]
DJANGO = Path(django.__file__).resolve().parent
DJANGO_CATALOGS = ["contrib/admin", "contrib/auth", "contrib/contenttypes", "conf"]
# Textareas hold what officers typed (a procedure's English text is data, not an untranslated label).
SKIPPED_TAGS = {"script", "style", "noscript", "template", "textarea"}
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# Source strings that are the same word in Vietnamese use (proper names, formats).
# (A catalog whose Vietnamese equals the source says the same thing.)
SAME_IN_BOTH = {"CSV", "Excel", "Zalo", "OK", "ZNS", "SMS", "QR", "PDF"}


# The English version of a record's text (`name_en`, `summary_en`…) is data shown as typed; so is text marked
# lang="en" (the language switch's "English", a post's English version in a news preview).
ENGLISH_FIELD = re.compile(r"\bfield-\w+_en\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0
        self._depth = 0
        self._skip_until: int | None = None  # the depth at which an English field's block ends

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in VOID:
            self._depth += 1
            english = ENGLISH_FIELD.search(attributes.get("class") or "") or attributes.get("lang") == "en"
            if self._skip_until is None and english:
                self._skip_until = self._depth
        if self._skip_until is not None:
            return
        if tag in SKIPPED_TAGS:
            self._skip += 1
        for name in ATTRIBUTES:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.chunks.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self._skip_until is not None:
            if self._depth == self._skip_until:
                self._skip_until = None
            self._depth -= 1
            return
        self._depth -= 1
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and self._skip_until is None and data.strip():
            self.chunks.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(c.split()) for c in parser.chunks]


def _english_pairs():
    """(English source, Vietnamese) of every catalog the back office draws from."""
    paths = [p for p in ROOT.rglob("locale/vi/LC_MESSAGES/django*.po") if ".venv" not in p.parts]
    paths += [DJANGO / c / "locale/vi/LC_MESSAGES" / f for c in DJANGO_CATALOGS for f in ("django.po", "djangojs.po")]
    english_only = [
        DJANGO / c / "locale/en/LC_MESSAGES" / f for c in DJANGO_CATALOGS for f in ("django.po", "djangojs.po")
    ]
    pairs: dict[str, str] = {}
    for path in english_only:
        if path.exists():
            for entry in polib.pofile(str(path)):
                pairs.setdefault(entry.msgid, "")
                if entry.msgid_plural:
                    pairs.setdefault(entry.msgid_plural, "")
    for path in paths:
        if path.exists():
            for entry in polib.pofile(str(path)):
                if entry.translated():
                    pairs[entry.msgid] = entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
    return pairs


def _patterns():
    """What to look for: whole chunks equal to a source string (placeholders match anything), and longer
    source strings (three words or more) anywhere in a chunk."""
    whole, inside = set(), set()
    for msgid, vi in _english_pairs().items():
        text = " ".join(msgid.split())
        if not re.search(r"[A-Za-z]{2}", text) or text in SAME_IN_BOTH or "<" in text or vi == msgid:
            continue
        whole.add(text)
        if len(text.split()) >= 3 and "%" not in text and "{" not in text:
            inside.add(text)
    placeholder = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")
    regexes = [
        re.compile("^" + ".+".join(re.escape(p) for p in placeholder.split(t)) + "$")
        for t in whole
        if placeholder.search(t) and len(placeholder.sub("", t).strip()) >= 4
    ]
    return {t.rstrip(":").casefold() for t in whole} | _state_codes(), inside, regexes


def _state_codes() -> set[str]:
    """Stored values of every field with choices ("checked_in", "needs_correction"): shown as such, they are
    codes an officer cannot read."""
    from django.apps import apps

    codes = set()
    names = {s.casefold() for s in SAME_IN_BOTH}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if (
                    isinstance(value, str)
                    and re.fullmatch(r"[a-z]{4,}(_[a-z]+)*", value)
                    and str(label).casefold() != value
                ):
                    codes.add(value)
    return codes - names


def untranslated_on(html: str, patterns) -> list[str]:
    whole, inside, regexes = patterns
    found = []
    for chunk in visible_text(html):
        text = chunk.rstrip(":").strip()
        if text.casefold() in whole:
            found.append(text)
            continue
        if any(r.match(text) for r in regexes):
            found.append(text)
            continue
        found += [s for s in inside if s in chunk]
    return found


# --- The pages ----------------------------------------------------------------------------------------------
def _admin_pages(user):
    """Every admin page this user may open: index, lists, add forms, one record's change form and history."""
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        request = type("R", (), {"user": user, "method": "GET", "GET": {}, "META": {}})()
        if not model_admin.has_view_or_change_permission(request):
            continue
        pages.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{name}_add"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            pages.append(reverse(f"{name}_change", args=[obj.pk]))
            pages.append(reverse(f"{name}_history", args=[obj.pk]))
            for page in ("transition", "preview"):  # a workflow's state page, a news post's preview
                with contextlib.suppress(NoReverseMatch):
                    pages.append(reverse(f"{name}_{page}", args=[obj.pk]))
    for url_name in (
        "backoffice:roster", "backoffice:check-in", "backoffice:move-affected", "admin:reports_report_overdue",
        "backoffice:statistics",
    ):  # fmt: skip
        pages.append(reverse(url_name))
    return pages


@pytest.fixture(scope="module")
def patterns():
    return _patterns()


def test_the_detector_finds_english(patterns):
    """The detector itself: Django's and the project's English strings are caught, Vietnamese is not."""
    html = (
        '<div><h2>Filter</h2><a title="Skip to main content">x</a><p>That page contains no results</p>'
        "<p>Roster of Công an Phường 1, 03/12/2026</p><p>Lịch tiếp dân</p></div>"
    )
    found = untranslated_on(html, patterns)
    assert sorted(found) == [
        "Filter",  # Django's, shown without its translation
        "Roster of Công an Phường 1, 03/12/2026",  # the project's, with placeholders
        "Skip to main content",  # an attribute
        "That page contains no results",  # one Django's Vietnamese catalog lacks
    ]
    assert untranslated_on("<p>Lọc</p><p>Công an Phường 1</p>", patterns) == []
    # A record's English text is data; the same words as a label are not.
    english_field = '<div class="form-row field-summary_en"><div class="readonly">Hide counts</div></div>'
    assert untranslated_on(english_field + "<p>Hide counts</p>", patterns) == ["Hide counts"]
    assert untranslated_on('<nav><a lang="en" href="/en/">English</a></nav><p>English</p>', patterns) == ["English"]


@pytest.fixture
def officers(demo_data):
    """A superuser, and one officer of Ward 1 (of the district for its administrator) per role."""
    from django.contrib.auth import get_user_model

    from apps.backoffice.roles import DISTRICT_ADMINISTRATOR, ROLES
    from apps.units.models import PoliceUnit

    from .factories import OfficerFactory

    User = get_user_model()
    ward = PoliceUnit.objects.filter(kind="ward").order_by("order").first()
    district = ward.parent
    # Records of every kind in the ward, so that each list has a row and each change form a record.
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from .factories import appointment_create, declaration_create

    day = timezone.localdate()
    at = datetime.combine(day, time(8), tzinfo=timezone.get_current_timezone())
    declaration_create(appointment=appointment_create(unit=ward, starts_at=at), name="TRẦN THỊ HỒNG NHUNG")
    appointment_create(unit=ward, starts_at=at - timedelta(days=1), status="no_show", name="LÊ VĂN TÁM")
    checked = declaration_create(appointment=appointment_create(unit=ward, starts_at=at), name="VÕ VĂN KIỆT")
    # A review step and an arrival today: the dashboard and the histories show states.
    from apps.backoffice.services import appointment_check_in, filing_review_move

    superuser = User.objects.create_superuser("sieuquantri", "sieuquantri@example.invalid", "x")
    filing_review_move(
        filing=checked, target="returned", user=superuser,
        reason="Ảnh chưa rõ",
    )  # fmt: skip
    appointment_check_in(appointment=checked.appointment, user=superuser, unit=ward, other_day_ok=True)
    return [superuser] + [
        OfficerFactory(
            username=f"vaitro{i}", units=[district if role == DISTRICT_ADMINISTRATOR else ward], roles=[role]
        )
        for i, role in enumerate(ROLES)
    ]


@pytest.mark.django_db
def test_no_english_on_any_admin_page_in_vietnamese(client, officers, patterns):
    problems: dict[str, list[str]] = {}
    for user in officers:
        client.force_login(user)
        for url in _admin_pages(user):
            response = client.get(url, follow=True)
            if response.status_code != 200:
                continue
            found = untranslated_on(response.content.decode(), patterns)
            if found:
                problems[f"{user.username} {url}"] = sorted(set(found))
        # A form posted empty shows its field errors (Django's and ours) in Vietnamese too.
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            request = type("R", (), {"user": user, "method": "GET", "GET": {}, "META": {}})()
            if not model_admin.has_add_permission(request):
                continue
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            response = client.post(url, {})
            if response.status_code == 200:
                found = untranslated_on(response.content.decode(), patterns)
                if found:
                    problems[f"{user.username} POST {url}"] = sorted(set(found))
    assert not problems, "\n".join(f"{page}: {found}" for page, found in sorted(problems.items()))
