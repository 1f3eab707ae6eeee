"""Every Vietnamese translation of this app is the one citizens see: a catalog of an app earlier in
INSTALLED_APPS (or Django's own) with the same English text would otherwise win ("free" for a fee is not
"free" for a place)."""

from pathlib import Path

import polib
from django.utils import translation

CATALOG = Path(__file__).resolve().parents[2] / "apps/declarations/locale/vi/LC_MESSAGES/django.po"
# Shared with other apps, where their wording is as good.
ACCEPTED = {"name", "Enter a Vietnamese mobile number, for example 0912 345 678."}


def test_our_vietnamese_translations_are_the_ones_used():
    shadowed = []
    with translation.override("vi"):
        for entry in polib.pofile(str(CATALOG)):
            if entry.msgid in ACCEPTED or entry.msgid_plural:
                continue
            if entry.msgctxt:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != entry.msgstr:
                shadowed.append((entry.msgid, got))
    assert not shadowed, f"translated elsewhere; give these a context: {shadowed}"
