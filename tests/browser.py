"""Helpers shared by the browser tests."""


def page_width(page) -> int:
    """The page's scroll width once the document that a click or a redirect led to has been parsed.

    Reading ``document.documentElement`` straight after a click can land between the new document's commit and
    its parsing, where it is still null (a flaky failure seen in CI); waiting for DOMContentLoaded first removes
    that race."""
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function("document.documentElement !== null && document.body !== null")
    return page.evaluate("document.documentElement.scrollWidth")
