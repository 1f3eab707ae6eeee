"""A toy workflow over a free text field of PoliceUnit, on its own admin site, to test the generic machinery
(the declarations' review workflow plugs into the same service and admin mixin)."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import UnitScopedAdminMixin, WorkflowAdminMixin
from apps.backoffice.workflow import Transition, Workflow
from apps.units.models import PoliceUnit

NOTIFIED: list[tuple] = []


def notify(*, obj, transition, reason):
    NOTIFIED.append((obj.pk, transition.target, reason))


TOY = Workflow(
    state_field="ward_code",
    unit_field="pk",
    transitions=[
        Transition(source=("submitted",), target="checked", label=_("Checked")),
        Transition(source=("submitted", "checked"), target="rejected", label=_("Rejected"), reason_required=True),
        Transition(source=("checked",), target="attended", label=_("Attended"), notify=False),
    ],
    notify=notify,
)

site = admin.AdminSite(name="toyadmin")


class ToyAdmin(UnitScopedAdminMixin, WorkflowAdminMixin, admin.ModelAdmin):
    unit_field = "pk"
    workflow = TOY
    fields = ("name", "ward_code")


site.register(PoliceUnit, ToyAdmin)

urlpatterns = [path("toy/", site.urls)]
