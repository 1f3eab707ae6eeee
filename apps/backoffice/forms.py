from django import forms
from django.utils.translation import gettext_lazy as _

from .services import CANCEL_REASON_REQUIRED


class ScanForm(forms.Form):
    """One field a USB scanner types into (it ends with Enter, which submits), or an officer types a code in."""

    scan = forms.CharField(
        label=_("QR code, code, name or phone"),
        max_length=500,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_(
            "Scan the QR code on the citizen's phone or slip, type the code printed under it, or search by name "
            "(without accents is fine) or phone number."
        ),
    )
    other_day_ok = forms.BooleanField(required=False, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    slot = forms.ChoiceField(label=_("New time"), widget=forms.RadioSelect)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {o.value: o for o in options}
        self.fields["slot"].choices = [
            (o.value, f"{o.local_start:%d/%m/%Y %H:%M} · {o.unit} ({o.free})") for o in options
        ]

    def clean_slot(self):
        return self.options[self.cleaned_data["slot"]]


class BulkCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Each citizen reads it in the cancellation message, e.g. “The station is closed for repairs.”"),
        error_messages={"required": CANCEL_REASON_REQUIRED},
    )


class CloseDayForm(forms.Form):
    """Closing a counter for a day: which day, why (every affected citizen reads it), and what to do with them."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Each citizen booked on that day reads it in their message, e.g. “Trụ sở mất điện.”"),
        error_messages={"required": CANCEL_REASON_REQUIRED},
    )
    outcome = forms.ChoiceField(
        label=_("The citizens booked on that day"),
        widget=forms.RadioSelect,
        choices=[
            ("move", _("Move each to the nearest free time of this unit")),
            ("cancel", _("Cancel their bookings")),
        ],
        initial="move",
    )


class CounterBookingForm(forms.Form):
    """A walk-in or a phone booking: the time (among the free ones of the day shown) and who the citizen is."""

    slot = forms.ChoiceField(label=_("Time"), widget=forms.RadioSelect)
    holder_name = forms.CharField(label=_("Full name"), max_length=120)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, help_text=_("The confirmation and any change are sent there.")
    )
    id_number = forms.CharField(label=_("Card number"), max_length=12, required=False)
    check_in = forms.BooleanField(label=_("The citizen is here now: check them in"), required=False, initial=True)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {o.value: o for o in options}
        self.fields["slot"].choices = [(o.value, f"{o.local_start:%H:%M} ({o.free})") for o in options]

    def clean_slot(self):
        return self.options[self.cleaned_data["slot"]]

    def clean_holder_name(self):
        return " ".join(self.cleaned_data["holder_name"].split())


class StatisticsForm(forms.Form):
    """The period (both days included, at most a year) and the unit (empty: all the officer's units)."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All my units")), *((u.pk, str(u)) for u in units)]

    def clean(self):
        from .statistics import MAX_DAYS

        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", _("A period is at most %(days)s days.") % {"days": MAX_DAYS})
        return cleaned
