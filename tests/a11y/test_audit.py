"""Every citizen page and journey step, in both languages, with and without errors shown, and the main back-office
pages, audited in Chromium (360×740) against the portal served as in production (see conftest.py):

* axe-core finds no violation of impact "serious" or "critical" (contrast, names, labels, ARIA…);
* each citizen page weighs at most 40 KB on first load and 10 KB on a repeat load (see audit.py);
* no citizen page was left out: every HTML page of the citizen URL map is visited at least once.

One walk feeds all three checks; each check prints every page that failed and why.
"""

import pytest
from django.urls import resolve

from .audit import FIRST_LOAD_BUDGET, REPEAT_LOAD_BUDGET, Auditor, describe_violations
from .conftest import OFFICER

pytestmark = [pytest.mark.browser]

PROCEDURES = ["ho-chieu", "dang-ky-xe", "dang-ky-cu-tru", "tam-tru-nguoi-nuoc-ngoai"]
# Citizen URL names that are not HTML pages (files, feeds, redirects) or not for citizens (DEBUG-only outbox).
NOT_PAGES = {
    "declarations:slip-png", "declarations:receipt-qr", "declarations:ics", "declarations:poster-qr",
    "procedures:done-qr", "procedures:done-slip", "procedures:done-ics",
    "news:feed-rss", "news:feed-atom", "notifications:dev-outbox",
    # The resume link: in its own browser a redirect to the step reached; in another, the check that the draft is
    # the citizen's (audited as procedures:resume; the identity card's renders the same template).
    "declarations:resume",
    # The done page's "move" and "cancel" links redirect to the one lookup's pages (audited as those pages).
    "procedures:done-move", "procedures:done-cancel",
    # A returned identity card's correction: reopens the journey at its check page, and sends it (both redirects).
    "declarations:correct", "declarations:correct-send",
}  # fmt: skip
CITIZEN_NAMESPACES = {"core", "units", "notifications", "declarations", "procedures", "filings", "news", "reports"}


def _next(page) -> None:
    page.click("button[name=action][value=next]")


def _pick_time(page, *, nth: int = 0) -> None:
    picker = page.locator("#slot-picker")
    if not picker.locator("input[name=slot]").count():
        if picker.locator("a.btn-primary").count():
            picker.locator("a.btn-primary").first.click()
        picker.locator("a.btn-outline-primary").first.click()
    chosen = picker.locator("input[name=slot]:not([disabled])").nth(nth)
    page.click(f"label[for={chosen.get_attribute('id')}]")


def _identity_card_journey(page, audit, server, prefix: str, lang: str, phone: str) -> None:
    base = server.url + prefix
    page.goto(base + "/thu-tuc/cap-cccd/")
    audit(page, f"[{lang}] identity card: reason")
    _next(page)
    audit(page, f"[{lang}] identity card: reason, with errors")
    page.check("input[name=reason][value=first_card]")
    page.check("[name=accept_notice]")  # the privacy notice (issue 13.1)
    _next(page)

    audit(page, f"[{lang}] identity card: about you")
    page.fill("[name=birth_date]", "31/02/1990")
    _next(page)
    audit(page, f"[{lang}] identity card: about you, with errors")
    page.fill("[name=full_name]", "Nguyễn Văn An")
    page.fill("[name=birth_date]", "05/09/1990")
    page.check("input[name=sex][value=M]")
    page.fill("[name=id_number]", "079090123456" if lang == "vi" else "079090123457")
    _next(page)

    audit(page, f"[{lang}] identity card: addresses")
    _next(page)
    audit(page, f"[{lang}] identity card: addresses, with errors")
    page.fill("[name=permanent_old_name]", "Phường 9, Quận 4")
    page.fill("[name=permanent_street]", "12 Đoàn Văn Bơ")
    _next(page)

    audit(page, f"[{lang}] identity card: contact")
    page.fill("[name=phone]", "12")
    _next(page)
    audit(page, f"[{lang}] identity card: contact, with errors")
    page.fill("[name=phone]", phone)
    _next(page)

    audit(page, f"[{lang}] identity card: appointment (units)")
    picker = page.locator("#slot-picker")
    if picker.locator("a.btn-primary").count():
        picker.locator("a.btn-primary").first.click()
        audit(page, f"[{lang}] identity card: appointment (days)")
    picker.locator("a.btn-outline-primary").first.click()
    audit(page, f"[{lang}] identity card: appointment (times)")
    page.click("#slot-picker button[type=submit]")
    audit(page, f"[{lang}] identity card: appointment, with errors")
    _pick_time(page)
    page.click("#slot-picker button[type=submit]")

    audit(page, f"[{lang}] identity card: check your answers")
    page.click("a.btn-primary[href$='/xac-nhan/']")
    audit(page, f"[{lang}] identity card: confirm")
    if page.locator("[name=pledge]").count():  # DC02's declaration statement
        page.check("[name=pledge]")
    page.click("button[name=action][value=send]")
    page.fill("[name=code]", "000000")
    page.click("button[name=action][value=verify]")
    audit(page, f"[{lang}] identity card: confirm, with errors")
    page.fill("[name=code]", server.last_code())
    page.click("button[name=action][value=verify]")

    audit(page, f"[{lang}] identity card: done")
    code = page.locator("#declaration-code").inner_text()
    page.click("a[href$='/phieu/']")
    audit(page, f"[{lang}] identity card: printable slip")

    page.goto(base + "/tra-cuu/")
    audit(page, f"[{lang}] lookup")
    page.fill("[name=code]", "ABC")
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] lookup, with errors")
    page.fill("[name=code]", code)
    page.fill("[name=phone]", phone)
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] lookup: the booking")
    detail = page.url
    page.click("a[href$='/doi-lich/']")
    audit(page, f"[{lang}] lookup: move the booking")
    page.goto(detail)
    page.click("a[href$='/huy/']")
    audit(page, f"[{lang}] lookup: cancel the booking")


def _procedure_journey(page, audit, server, prefix: str, lang: str, phone: str) -> None:
    base = server.url + prefix
    page.goto(f"{base}/thu-tuc/ho-chieu/khong-tim-thay/")
    audit(page, f"[{lang}] a journey step reached without a draft")
    # A saved form's resume link opened in a browser without the draft (cookies cleared): the check that it is
    # the citizen's (issue 12.5).
    page.goto(f"{base}/thu-tuc/dang-ky-xe/")
    page.fill("[name=holder_name]", "Nguyễn Văn An")
    page.fill("[name=phone]", phone)
    page.locator("form button[type='submit']:not([name])").click()
    link = page.locator("#resume a").get_attribute("href")
    page.context.clear_cookies()
    page.goto(link)
    audit(page, f"[{lang}] a resume link opened in another browser")
    for slug in PROCEDURES:
        page.goto(f"{base}/thu-tuc/{slug}/gioi-thieu/")
        audit(page, f"[{lang}] procedure {slug}: about")
        page.goto(f"{base}/thu-tuc/{slug}/")
        audit(page, f"[{lang}] procedure {slug}: form")
    slug = "ho-chieu"
    page.locator("form button[type='submit']:not([name])").click()
    page.goto(f"{base}/thu-tuc/{slug}/")
    page.locator("form button[type='submit']:not([name])").click()
    audit(page, f"[{lang}] procedure {slug}: form, with errors")
    id_number = "079203001234" if lang == "vi" else "079203001235"
    for name, value in {
        "holder_name": "Nguyễn Văn An", "phone": phone, "id_number": id_number, "current_passport": "C1234567",
    }.items():  # fmt: skip
        page.fill(f"[name={name}]", value)
    page.select_option("[name=request_type]", "expiring")
    page.select_option("[name=purpose]", "tourism")
    page.check("[name=accept_notice]")
    page.check("[name=accept_declaration]")
    page.locator("form button[type='submit']:not([name])").click()
    audit(page, f"[{lang}] procedure {slug}: appointment")
    _pick_time(page)
    page.click("#slot-picker button[type=submit]")
    audit(page, f"[{lang}] procedure {slug}: confirm")
    page.click("button[value=send]")
    page.fill("[name=code]", server.last_code())
    page.click("button[value=verify]")
    audit(page, f"[{lang}] procedure {slug}: done")
    done = page.url
    page.click("a[href$='/doi-lich/']")
    audit(page, f"[{lang}] procedure {slug}: move the booking")
    page.goto(done)
    page.click("a[href$='/huy/']")
    audit(page, f"[{lang}] procedure {slug}: cancel the booking")
    # An officer returns the filing for correction: its lookup page then offers the correction form.
    lookup = page.url.removesuffix("huy/")
    reason = "Ảnh chưa rõ" if lang == "vi" else "The photo is not clear"
    server.manage(
        "from django.contrib.auth import get_user_model; from apps.filings.models import Filing; "
        "from apps.filings.services import filing_transition; "
        f"filing_transition(filing=Filing.objects.filter(procedure__slug={slug!r}).latest('pk'), target='returned', "
        f"user=get_user_model().objects.get(username={OFFICER[0]!r}), reason={reason!r}, notify=False)"
    )
    page.goto(lookup)
    audit(page, f"[{lang}] lookup: a filing returned for correction")
    page.click("a[href$='/sua/']")
    audit(page, f"[{lang}] lookup: correct the answers")


def _report_journey(page, audit, server, prefix: str, lang: str, phone: str) -> None:
    base = server.url + prefix
    page.goto(base + "/phan-anh/")
    audit(page, f"[{lang}] report")
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] report, with errors")
    page.locator("input[name=category]").first.check()
    description = {
        "vi": "Nhóm thanh niên tụ tập gây ồn ào sau 23 giờ nhiều đêm liền.",
        "en": "A group of young people gathers and makes noise after 11 pm, night after night.",
    }[lang]
    page.fill("main [name=description]", description)
    page.locator("[name=unit]").select_option(index=1)
    page.fill("[name=address]", "Hẻm 52 Tôn Thất Thuyết")
    page.fill("[name=contact_phone]", phone)
    page.check("[name=accept_notice]")
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] report: confirm")
    page.fill("[name=code]", server.last_code())
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] report: sent")
    code = page.locator("#tracking-code").inner_text().strip()
    page.goto(base + "/phan-anh/tra-cuu/")
    audit(page, f"[{lang}] report status")
    page.fill("[name=code]", "XYZ")
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] report status, with errors")
    page.fill("[name=code]", code)
    page.fill("[name=phone]", phone)
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] report status: the report")


def _content_pages(page, audit, server, prefix: str, lang: str) -> None:
    base = server.url + prefix
    for path, label in [("/", "home"), ("/lien-he/", "directory"), ("/thu-tuc/", "procedures"),
                        ("/tin-tuc/", "news"), ("/khong-co-trang-nay/", "page not found")]:  # fmt: skip
        page.goto(base + path)
        audit(page, f"[{lang}] {label}")
    page.goto(base + "/tin-tuc/")
    page.locator("main article a, main .news-list a").first.click()
    audit(page, f"[{lang}] news article")
    page.goto(base + "/kiem-tra-tin-nhan/")
    audit(page, f"[{lang}] check a message")
    page.click("main form button[type=submit]")
    audit(page, f"[{lang}] check a message, with errors")


def _back_office(page, audit, server) -> None:
    page.goto(server.url + "/admin/login/")
    audit(page, "[office] sign in")
    page.fill("[name=username]", OFFICER[0])
    page.fill("[name=password]", OFFICER[1])
    page.click("[type=submit]")
    for path, label in [("/admin/", "admin home"), ("/admin/quay/", "roster"),
                        ("/admin/declarations/declaration/", "declarations"),
                        ("/admin/appointments/appointment/", "appointments"),
                        ("/admin/reports/report/", "reports")]:  # fmt: skip
        page.goto(server.url + path)
        audit(page, f"[office] {label}")


@pytest.fixture(scope="module")
def walk(production_server, browser, browser_context_args):
    """Walks the whole portal once; returns the Auditor with one report per page visited. A section that cannot
    go on is recorded in `audit.errors` (with the page it stopped at) and the walk goes on with the next one."""
    audit = Auditor(base_url=production_server.url)
    server = production_server
    phone_args = {**browser_context_args, "bypass_csp": True}  # CSP allows only the portal's scripts: inject axe
    office_args = {**phone_args, "viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}
    # A different phone for each journey: a phone may ask for one code a minute.
    sections = []
    for prefix, lang, phones in [("", "vi", ["0912345671", "0912345672", "0912345673"]),
                                 ("/en", "en", ["0987654321", "0987654322", "0987654323"])]:  # fmt: skip
        sections += [
            (phone_args, lambda p, a=(prefix, lang): _content_pages(p, audit, server, *a)),
            (phone_args, lambda p, a=(prefix, lang, phones[0]): _identity_card_journey(p, audit, server, *a)),
            (phone_args, lambda p, a=(prefix, lang, phones[1]): _procedure_journey(p, audit, server, *a)),
            (phone_args, lambda p, a=(prefix, lang, phones[2]): _report_journey(p, audit, server, *a)),
        ]
    sections.append((office_args, lambda p: _back_office(p, audit, server)))
    for context_args, section in sections:
        context = browser.new_context(**context_args)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            section(page)
        except Exception as error:  # reported by test_the_walk_went_through
            main = page.locator("main").inner_text() if page.locator("main").count() else page.content()
            audit.errors.append(f"{error}\n  at {page.url}:\n{main[:1500]}")
        finally:
            context.close()
    return audit


def test_the_walk_went_through(walk):
    assert not walk.errors, "\n\n".join(walk.errors)


def test_no_serious_or_critical_accessibility_violation(walk):
    failing = [report for report in walk.reports if report.violations]
    assert not failing, "axe-core found serious or critical violations:\n" + describe_violations(failing)


def test_every_citizen_page_is_within_the_weight_budget(walk):
    over = [
        f"{r.label} ({r.url}): first load {r.first_load} B (budget {FIRST_LOAD_BUDGET}), "
        f"repeat {r.repeat_load} B (budget {REPEAT_LOAD_BUDGET}); files {r.files}"
        for r in walk.reports
        if not r.label.startswith("[office]")
        and (r.first_load > FIRST_LOAD_BUDGET or r.repeat_load > REPEAT_LOAD_BUDGET)
    ]
    assert not over, "Pages over budget:\n" + "\n".join(over)


def test_every_citizen_page_was_audited(walk):
    from django.urls import get_resolver

    def names(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern, pattern.namespace or namespace)
            elif pattern.name and namespace in CITIZEN_NAMESPACES:
                yield f"{namespace}:{pattern.name}"

    expected = set(names(get_resolver())) - NOT_PAGES
    citizen = [r for r in walk.reports if "[office]" not in r.label and "page not found" not in r.label]
    visited = {resolve(r.url.split("?")[0].removeprefix("/en")).view_name for r in citizen}
    assert expected - visited == set(), f"citizen pages the audit does not visit: {sorted(expected - visited)}"
    languages = {r.label[:4] for r in walk.reports}
    assert languages == {"[vi]", "[en]", "[off"}


def test_the_walk_saw_errors_and_both_languages(walk):
    """The error variants really showed errors (otherwise the audit would miss the error summary's markup)."""
    with_errors = [r for r in walk.reports if "with errors" in r.label]
    assert len(with_errors) >= 20
    assert [r.label for r in with_errors if not r.shows_errors] == []
    assert [r.label for r in walk.reports if "with errors" not in r.label and r.shows_errors] == []


def test_english_pages_have_no_vietnamese_left_untranslated(walk):
    english = [r for r in walk.reports if r.label.startswith("[en]")]
    assert len(english) >= 40
    left = [f"{r.label} ({r.url}): {r.vietnamese}" for r in english if r.vietnamese]
    assert not left, "Vietnamese words on English pages (translate them, or mark a quotation lang=vi):\n" + "\n".join(
        left
    )
