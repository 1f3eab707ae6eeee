"""What the audit records on each page it visits: axe-core's serious and critical violations and the page's weight.

Weight is what a phone downloads, compressed as the production server sends it (headers not counted):
* first load: the HTML plus every same-origin file the page uses (stylesheets, scripts, images), each as the server
  sends it to a browser that accepts gzip;
* repeat load: the HTML plus the files the browser may not keep (static files are hashed and cached for a year).
"""

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

AXE_VERSION = "4.14.1"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
FIRST_LOAD_BUDGET = 40 * 1024
REPEAT_LOAD_BUDGET = 10 * 1024
BLOCKING = {"serious", "critical"}
ERRORS_SHOWN = "main [aria-invalid=true], main .invalid-feedback, main .errorlist, main .alert-danger"

RESOURCES_JS = """() => {
  const urls = new Set(performance.getEntriesByType('resource').map(e => e.name));
  document.querySelectorAll('link[rel=stylesheet][href], script[src], img[src], link[rel~=icon][href]')
    .forEach(e => urls.add(e.href || e.src));
  return [...urls];
}"""
# Text of the page a reader sees, without parts marked as Vietnamese (lang="vi", e.g. the language switch).
TEXT_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang=vi], script, style').forEach(e => e.remove());
  body.querySelectorAll('select').forEach(s => s.replaceWith(...[...s.options].map(o => ' ' + o.text + ' ')));
  return body.textContent;
}"""
# A word with a letter only Vietnamese uses, starting in lower case: proper names (people, streets, wards, units) are
# capitalised, so what is left is Vietnamese text not translated. Allowed: only the lower-case parts of place names
# and the đồng sign. Units' areas and phone labels have English fields (area_served_en, label_en).
VIETNAMESE_WORD = re.compile(
    r"\b[a-zà-ỹ]*[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ][a-zà-ỹ]*\b"
)
ALLOWED_WORDS = {
    "phố", "xã", "trấn", "đ",  # Thành phố, Thị xã, Thị trấn; the đồng sign (50.000 đ)
}  # fmt: skip
AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 200)})),
  }));
}"""


@dataclass
class PageReport:
    label: str
    url: str
    violations: list = field(default_factory=list)
    first_load: int = 0
    repeat_load: int = 0
    files: dict = field(default_factory=dict)
    shows_errors: bool = False
    vietnamese: list = field(default_factory=list)


@dataclass
class Auditor:
    """Records one PageReport per call; `reports` is read by the assertions once the walk is over."""

    base_url: str
    reports: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    _sizes: dict = field(default_factory=dict)

    def __call__(self, page, label: str) -> PageReport:
        page.wait_for_load_state("load")
        report = PageReport(label=label, url=page.url.removeprefix(self.base_url))
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(content=AXE_SOURCE)
        report.shows_errors = page.locator(ERRORS_SHOWN).count() > 0
        report.violations = [v for v in page.evaluate(AXE_RUN_JS) if v["impact"] in BLOCKING]
        if label.startswith("[en]"):
            words = VIETNAMESE_WORD.findall(page.evaluate(TEXT_JS))
            report.vietnamese = sorted({w for w in words if w[0].islower() and w not in ALLOWED_WORDS})
        html = page.evaluate("performance.getEntriesByType('navigation')[0].encodedBodySize")
        assert html > 0, f"{label}: the page's size was not measured"
        report.first_load = report.repeat_load = html
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies(self.base_url))
        for url in page.evaluate(RESOURCES_JS):
            if not url.startswith(self.base_url):
                assert url.startswith("data:"), f"{label}: {url} is not served by the portal"
                continue
            size, cached = self._size(url, cookies)
            report.files[urlsplit(url).path] = size
            report.first_load += size
            if not cached:
                report.repeat_load += size
        self.reports.append(report)
        return report

    def _size(self, url: str, cookies: str) -> tuple[int, bool]:
        if url not in self._sizes:
            request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "Cookie": cookies})
            try:
                response = urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:  # e.g. the admin's /favicon.ico: what was sent still counts
                response = error
            with response:
                cache_control = response.headers.get("Cache-Control", "")
                cached = "immutable" in cache_control or _max_age(cache_control) >= 86400
                self._sizes[url] = (len(response.read()), cached)
        return self._sizes[url]


def _max_age(cache_control: str) -> int:
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age" and value.isdigit():
            return int(value)
    return 0


def describe_violations(reports: list[PageReport]) -> str:
    lines = []
    for report in reports:
        for violation in report.violations:
            lines.append(
                f"{report.label} ({report.url}): [{violation['impact']}] {violation['id']}: {violation['help']}"
            )
            for node in violation["nodes"][:5]:
                lines.append(f"    at {node['target']}: {node['html']}")
                lines.extend(f"       {line}" for line in (node["summary"] or "").splitlines()[:4])
            if len(violation["nodes"]) > 5:
                lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)
