"""People's names in both journeys (issue 12.14): a name that does not fit is refused with a message, never cut
(no `maxlength` that makes a phone drop the end of a pasted name); a name typed without any accents gets a gentle
warning the citizen may confirm (e.g. NGUYEN VAN AN for NGUYỄN VĂN AN; foreign names have none)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NAME_TOO_LONG = _(
    "This name has %(show_value)d characters, more than the %(limit_value)d that fit in the file. Nothing was "
    "shortened: check it, and if it really is this long, write it as on your papers and ask at the unit."
)
NO_ACCENTS = _(
    "This name has no accents (for example NGUYEN VAN AN instead of NGUYỄN VĂN AN). Check that it is written as on "
    "your papers. If it really has no accents, tick the box below and continue."
)
ACCENTS_CONFIRM_LABEL = _("The name is right as typed, without accents")
ACCENTS_CONFIRM_FIELD = "accents_confirmed"


class NameLengthMixin:
    """For a name field: refused with NAME_TOO_LONG above max_length, and no maxlength attribute in the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages["max_length"] = NAME_TOO_LONG

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def name_lacks_accents(value: str) -> bool:
    """True for a name of two words or more typed only with unaccented Latin letters."""
    words = (value or "").split()
    return len(words) >= 2 and all(ch.isascii() for ch in "".join(words))


def accents_confirm_prepare(form: forms.Form, *, fields: tuple[str, ...], widget=None) -> None:
    """Offer the "right as typed" box when a posted name (of `fields`) has no accents, or the box was posted."""
    if not form.is_bound:
        return
    posted = [form.data.get(form.add_prefix(name), "") for name in fields]
    if form.data.get(form.add_prefix(ACCENTS_CONFIRM_FIELD)) or any(name_lacks_accents(v) for v in posted):
        form.fields[ACCENTS_CONFIRM_FIELD] = forms.BooleanField(
            label=ACCENTS_CONFIRM_LABEL, required=False, widget=widget or forms.CheckboxInput
        )


def accents_confirm_check(form: forms.Form, cleaned: dict, *, fields: tuple[str, ...]) -> None:
    """The warning, next to each name without accents, until the citizen ticks the box."""
    if cleaned.get(ACCENTS_CONFIRM_FIELD):
        return
    for name in fields:
        if name not in form.errors and name_lacks_accents(cleaned.get(name) or ""):
            form.add_error(name, ValidationError(NO_ACCENTS, code="no_accents"))
