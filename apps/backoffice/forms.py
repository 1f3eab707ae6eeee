from django import forms
from django.utils.translation import gettext_lazy as _

from .services import REASON_REQUIRED
from .workflow import Transition


class StateTransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("New state"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting or asking for a correction; the citizen reads it."),
    )

    def __init__(self, *args, transitions: list[Transition], **kwargs):
        super().__init__(*args, **kwargs)
        self.transitions = {t.target: t for t in transitions}
        self.fields["target"].choices = [(t.target, t.label) for t in transitions]

    def clean(self):
        cleaned = super().clean()
        transition = self.transitions.get(cleaned.get("target"))
        if transition and transition.reason_required and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REASON_REQUIRED)
        return cleaned
