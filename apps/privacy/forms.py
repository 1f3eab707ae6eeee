from django import forms
from django.utils.translation import gettext_lazy as _


class SubjectRequestForm(forms.Form):
    query = forms.CharField(
        label=_("Personal ID number or mobile phone"),
        max_length=20,
        help_text=_("The 12-digit card number, or the phone number, as the citizen gave it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The citizen's request and its reference; recorded with your name."),
    )
    confirm_erase = forms.BooleanField(
        label=_("I have checked the citizen's identity and the request; erase everything listed."),
        required=False,
    )


class NoticeConsentForm(forms.Form):
    """The first step's consent fields, for any journey (the filing records `notice_version`).

    `sensitive=True` adds the separate consent for a form that asks for ethnicity, religion or blood group."""

    accept_notice = forms.BooleanField(
        label=_("I have read the notice on the processing of my personal data and agree to it."),
        error_messages={"required": _("Tick the box to accept the notice: the request cannot be made without it.")},
    )
    accept_declaration = forms.BooleanField(
        label=_("I declare that the information I give is true."),
        error_messages={"required": _("Tick the box to make the declaration.")},
    )

    def __init__(self, *args, notice=None, sensitive=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice
        if sensitive:
            self.fields["accept_sensitive"] = forms.BooleanField(
                label=_("I agree to the processing of my sensitive data (ethnicity, religion, blood group)."),
                error_messages={
                    "required": _(
                        "Tick the box to agree to the processing of your ethnicity, religion and blood group."
                    )
                },
            )

    @property
    def notice_version(self) -> int | None:
        return self.notice.version if self.notice else None
