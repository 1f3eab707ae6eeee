"""The DC02 lists (religions, education levels, ethnic groups): stored as the official Vietnamese names (printed on
the CC01), shown in English on /en/ pages and as the official names on Vietnamese pages."""

import re
from html import unescape

from django.utils import translation

from apps.declarations import reference
from apps.declarations.forms import AboutForm, ContactForm


def _options(form_class, field: str, language: str) -> list[tuple[str, str]]:
    with translation.override(language):
        html = str(form_class()[field])
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    return [(unescape(value), unescape(label)) for value, label in found]


def test_religions_are_stored_in_vietnamese_and_shown_in_the_pages_language():
    english = dict(_options(AboutForm, "religion", "en"))
    vietnamese = dict(_options(AboutForm, "religion", "vi"))
    assert english["Không"] == "None" and vietnamese["Không"] == "Không"
    assert english["Công giáo"] == "Catholicism" and vietnamese["Công giáo"] == "Công giáo"
    assert english["Tịnh độ Cư sĩ Phật hội Việt Nam"] == "Pure Land Buddhist Home Practice Association of Vietnam"
    assert list(english)[1:] == list(reference.RELIGIONS)  # every official name is offered, in the official order
    assert all(vietnamese[value] == value for value in reference.RELIGIONS)  # the catalog gives the name back


def test_education_levels_are_translated():
    english = dict(_options(ContactForm, "education", "en"))
    vietnamese = dict(_options(ContactForm, "education", "vi"))
    assert english["Trung học cơ sở"] == "Lower secondary school" and english["Cao đẳng"] == "College"
    assert list(english)[1:] == list(reference.EDUCATION_LEVELS)
    assert all(vietnamese[value] == value for value in reference.EDUCATION_LEVELS)


def test_ethnic_groups_keep_their_names_spelled_for_english_pages():
    english = dict(_options(AboutForm, "ethnicity", "en"))
    vietnamese = dict(_options(AboutForm, "ethnicity", "vi"))
    assert english["Khơ-mú"] == "Khmu" and english["Tà-ôi"] == "Ta Oi" and english["Kinh"] == "Kinh"
    assert vietnamese["Khơ-mú"] == "Khơ-mú"
    assert list(english)[1:] == list(reference.ETHNICITIES)
