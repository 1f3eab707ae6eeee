from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin import UserAdmin
from apps.accounts.models import User
from apps.core.paging import EstimatedCountPaginator
from apps.exports.writers import phone_national
from apps.units.admin import PoliceUnitAdmin
from apps.units.models import PoliceUnit

from .admin_mixins import (
    AuditedAdminMixin,
    ExportAdminMixin,
    FastActionCheckboxMixin,
    PermissionLabelsAdminMixin,
    ScopedUnitFilter,
    SearchAdminMixin,
    UnitScopedAdminMixin,
    masked,
)
from .masking import mask_phone
from .models import Arrival, AuditLogEntry
from .scoping import queryset_scope_to_user, user_sees_all_units
from .search import SearchFields
from .services import appointment_move, officer_display_name


class ReadOnlyAdminMixin:
    """Records written by services only: nobody adds, edits or deletes them in admin, not even a superuser."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, ExportAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "content_type", "object_repr", "unit", "detail")
    list_filter = ("action", ("unit", admin.RelatedOnlyFieldListFilter), "content_type", "at")
    search_fields = ("username", "object_repr", "object_id")
    list_select_related = ("content_type", "unit")
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("at", "user", "username", "action", "content_type", "object_id", "object_repr", "unit", "detail")
    readonly_fields = fields
    list_per_page = 100
    export_filename = "nhat-ky"

    # District administrators only (the permission `access_all_units` comes with their role).
    def has_module_permission(self, request):
        return user_sees_all_units(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return user_sees_all_units(request.user) and super().has_view_permission(request, obj)


# Groups (the roles) and officers: permission pickers in Vietnamese, officers' names in Vietnamese order.
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(PermissionLabelsAdminMixin, GroupAdmin):
    pass


admin.site.unregister(User)


@admin.register(User)
class OfficerAdmin(PermissionLabelsAdminMixin, UserAdmin):
    list_display = ("username", "full_name", "roles", "is_staff", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all()))


# The units app's admin, limited to the officer's own units: a unit administrator keeps the phones and opening
# hours of their station up to date; the structure (kind, parent, address slug) is the district's business.
admin.site.unregister(PoliceUnit)


@admin.register(PoliceUnit)
class ScopedPoliceUnitAdmin(UnitScopedAdminMixin, AuditedAdminMixin, PoliceUnitAdmin):
    unit_field = "pk"
    district_only_fields = ("kind", "slug", "parent", "receives_id_applications", "is_active", "order")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not user_sees_all_units(request.user):
            fields += [f for f in self.district_only_fields if f not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if user_sees_all_units(request.user) else {}

    def has_add_permission(self, request):
        return user_sees_all_units(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return user_sees_all_units(request.user) and super().has_delete_permission(request, obj)

    def get_list_filter(self, request):
        return super().get_list_filter(request) if user_sees_all_units(request.user) else ()


@admin.register(Arrival)
class ArrivalAdmin(SearchAdminMixin, UnitScopedAdminMixin, ReadOnlyAdminMixin, ExportAdminMixin, admin.ModelAdmin):
    """Who was received at the counter, when, by whom: written by the check-in only."""

    unit_field = "unit"
    export_filename = "tiep-don"
    list_display = ("at", "reference", "holder_name", "unit", "officer_name", "other_day")
    list_filter = (("unit", ScopedUnitFilter), "at", "other_day")
    search_spec = SearchFields(
        code=("appointment__reference",),
        phone=("appointment__phone",),
        id_number=("appointment__id_number",),
        name_key=("appointment__name_key",),
    )
    list_select_related = ("unit", "officer", "appointment")
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("at", "appointment", "unit", "officer", "other_day")
    readonly_fields = fields

    @admin.display(description=_("code"), ordering="appointment__reference")
    def reference(self, obj):
        return obj.appointment.reference

    @admin.display(description=_("name"), ordering="appointment__holder_name")
    def holder_name(self, obj):
        return obj.appointment.holder_name

    @admin.display(description=_("officer"), ordering="officer__last_name")
    def officer_name(self, obj):
        return officer_display_name(obj.officer) if obj.officer else ""


# --- Bulk cancel on any list: ask first, with a reason the citizens read -------------------------------------
@dataclass(frozen=True)
class BulkCancelRow:
    obj: object
    when: object
    code: str
    name: str
    unit: object
    status: str
    will_cancel: bool


def bulk_cancel_response(
    model_admin, request, *, rows, cancel, done, title: str, action_name: str, code_of, kind: str = "appointment"
):
    """The confirmation page of a bulk cancel (what happens to each selected row, the reason required), and on
    its confirmation `cancel(reason)` -> (cancelled, [(obj, why not)]), reported in messages (`done(count)`)."""
    from django.template.response import TemplateResponse

    from .forms import BulkCancelForm

    form = BulkCancelForm(request.POST if request.POST.get("confirm") else None)
    if form.is_bound and form.is_valid():
        cancelled, refused = cancel(form.cleaned_data["reason"])
        if cancelled:
            model_admin.message_user(request, done(len(cancelled)), messages.SUCCESS)
        for obj, why in refused:
            model_admin.message_user(request, f"{code_of(obj)}: {why}", messages.ERROR)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "rows": rows,
        "to_cancel": sum(1 for row in rows if row.will_cancel),
        "action_name": action_name,
        "kind": kind,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "backoffice/cancel_confirm.html", context)


# --- Filings: every procedure's, limited to the officer's units, audited, masked, searchable, exportable -------
def _register_filings() -> None:
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404
    from django.template.response import TemplateResponse
    from django.urls import path, reverse
    from django.utils.html import format_html

    from apps.declarations import printing
    from apps.filings.admin import FilingAdmin
    from apps.filings.models import Filing
    from apps.procedures.models import Procedure

    from .models import AuditAction
    from .services import audit_record

    admin.site.unregister(Filing)

    @admin.register(Filing)
    class BackofficeFilingAdmin(ExportAdminMixin, FilingAdmin):
        """The filings app's admin with the exports and, for the identity card, the printable CC01 and DC02."""

        export_filename = "ho-so"
        list_display = (*FilingAdmin.list_display, "print_links")
        readonly_fields = (*FilingAdmin.readonly_fields, "print_links")
        fields = (*FilingAdmin.fields, "print_links")
        export_columns = [
            (_("code"), "code"),
            (_("procedure"), lambda f: str(f.procedure)),
            (_("name"), "holder_name"),
            (_("Phone"), lambda f: phone_national(str(f.phone or ""))),
            (_("Card number"), "id_number"),
            (_("state"), lambda f: f.get_state_display()),
            (_("appointment"), lambda f: timezone.localtime(f.appointment.slot.starts_at) if f.appointment else None),
            (_("unit"), lambda f: str(f.appointment.unit) if f.appointment else ""),
        ]

        actions = ("cancel_selected",)

        @admin.action(description=_("Cancel the selected filings"), permissions=["change"])
        def cancel_selected(self, request, queryset):
            """The filings and their booked visits, through the filings' transition table: first what will happen
            to each and the reason the citizens will read, then the cancellation."""
            from .services import filing_cancel_by_officer, filing_cancel_plan

            filings = list(queryset.select_related("procedure", "appointment__slot", "appointment__unit"))
            rows = [
                BulkCancelRow(
                    obj=f,
                    when=f.appointment.slot.starts_at if f.appointment else None,
                    code=f.code,
                    name=f.holder_name,
                    unit=f.appointment.unit if f.appointment else "",
                    status=f.get_state_display(),
                    will_cancel=filing_cancel_plan(filing=f),
                )
                for f in filings
            ]
            return bulk_cancel_response(
                self,
                request,
                rows=rows,
                cancel=lambda reason: filing_cancel_by_officer(filings=filings, user=request.user, reason=reason),
                done=lambda count: (
                    ngettext(
                        "%(count)s filing cancelled; the citizen is told the reason by message.",
                        "%(count)s filings cancelled; each citizen is told the reason by message.",
                        count,
                    )
                    % {"count": count}
                ),
                title=gettext("Cancel filings"),
                action_name="cancel_selected",
                code_of=lambda f: f.code,
                kind="filing",
            )

        cancel_selected.audited_by_service = True

        @admin.display(description=_("print"))
        def print_links(self, obj):
            if obj.procedure.slug != Procedure.IDENTITY_CARD:
                return ""
            return format_html(
                '<a href="{}">CC01</a> · <a href="{}">DC02</a>',
                reverse("admin:filings_filing_cc01", args=[obj.pk]),
                reverse("admin:filings_filing_dc02", args=[obj.pk]),
            )

        def get_urls(self):
            return [
                path("<int:pk>/cc01/", self.admin_site.admin_view(self.cc01_view), name="filings_filing_cc01"),
                path("<int:pk>/dc02/", self.admin_site.admin_view(self.dc02_view), name="filings_filing_dc02"),
                *super().get_urls(),
            ]

        def _printable(self, request, pk, template, extra):
            queryset = self.get_queryset(request).filter(procedure__slug=Procedure.IDENTITY_CARD)
            filing = get_object_or_404(queryset, pk=pk)
            if not self.has_view_permission(request, filing):
                raise PermissionDenied
            audit_record(user=request.user, action=AuditAction.VIEW, obj=filing, detail=template.rsplit("/", 1)[-1])
            context = {**self.admin_site.each_context(request), "declaration": filing, "opts": self.model._meta}
            context.update(extra(filing))
            return TemplateResponse(request, template, context)

        def cc01_view(self, request, pk):
            return self._printable(
                request, pk, "declarations/admin/cc01.html", lambda f: {"items": printing.cc01_items(f)}
            )

        def dc02_view(self, request, pk):
            return self._printable(
                request, pk, "declarations/admin/dc02.html", lambda f: {"dc02": printing.dc02_sections(f)}
            )


def _register_appointments() -> None:
    from apps.appointments.admin import AppointmentAdmin
    from apps.appointments.models import Appointment

    admin.site.unregister(Appointment)

    @admin.register(Appointment)
    class BackofficeAppointmentAdmin(
        FastActionCheckboxMixin,
        SearchAdminMixin,
        UnitScopedAdminMixin,
        AuditedAdminMixin,
        ExportAdminMixin,
        AppointmentAdmin,
    ):
        unit_field = "unit"
        search_spec = SearchFields(
            code=("reference",), phone=("phone",), id_number=("id_number",), name_key=("name_key",)
        )
        export_filename = "lich-hen"
        # What the counter works from: typed date and time, the phone as dialled, the card number, the procedure,
        # the status in the officer's language, and why it was cancelled.
        export_columns = [
            (_("Code"), "reference"),
            (_("Name"), "holder_name"),
            (_("Phone"), lambda a: phone_national(str(a.phone or ""))),
            (_("Card number"), "id_number"),
            (_("Procedure"), lambda a: str(a.procedure)),
            (_("Unit"), lambda a: str(a.unit)),
            (_("Date"), lambda a: timezone.localtime(a.slot.starts_at).date()),
            (_("Time"), lambda a: timezone.localtime(a.slot.starts_at).time()),
            (_("Status"), lambda a: a.get_status_display()),
            (_("Booked at"), "booked_at"),
            (_("Reason for cancelling"), "cancel_reason"),
        ]
        list_display = (
            "reference",
            "holder_name",
            "unit",
            "procedure",
            "local_start",
            "status",
            masked("phone", mask_phone, _("phone")),
        )
        list_filter = (("unit", ScopedUnitFilter), "status", "procedure", "slot__starts_at")
        # The row label (str(appointment), in the selection checkbox) reads the slot's unit: fetch it with the rows.
        list_select_related = ("slot__unit", "unit", "procedure")

        @admin.action(description=_("Cancel the selected appointments"), permissions=["change"])
        def cancel_selected(self, request, queryset):
            """First a page that says what will happen to each selected booking and asks for the reason; the
            cancellation happens only when that page is confirmed (the pattern of admin's own delete)."""
            from .services import appointment_cancel_by_officer, appointment_cancel_plan

            appointments = list(queryset.select_related("slot", "unit", "procedure").order_by("slot__starts_at"))
            rows = [
                BulkCancelRow(
                    obj=a,
                    when=a.slot.starts_at,
                    code=a.reference,
                    name=a.holder_name,
                    unit=a.unit,
                    status=a.get_status_display(),
                    will_cancel=appointment_cancel_plan(appointment=a),
                )
                for a in appointments
            ]
            return bulk_cancel_response(
                self,
                request,
                rows=rows,
                cancel=lambda reason: appointment_cancel_by_officer(
                    appointments=appointments, user=request.user, reason=reason
                ),
                done=lambda count: (
                    ngettext(
                        "%(count)s appointment cancelled; the citizen is told the reason by message.",
                        "%(count)s appointments cancelled; each citizen is told the reason by message.",
                        count,
                    )
                    % {"count": count}
                ),
                title=gettext("Cancel appointments"),
                action_name="cancel_selected",
                code_of=lambda a: a.reference,
            )

        cancel_selected.audited_by_service = True

        def reschedule(self, request, *, appointment, starts_at, unit):
            # Through the back office's service: the citizen is told and the move is written to the audit log.
            return appointment_move(appointment=appointment, user=request.user, starts_at=starts_at, unit=unit)

        def get_queryset(self, request):
            # The appointments app limits non-superusers to their own units; the back office's scoping also lets
            # district administrators see every unit, so it replaces that filter rather than adding to it.
            return queryset_scope_to_user(
                admin.ModelAdmin.get_queryset(self, request), user=request.user, unit_field=self.unit_field
            )


def _register_closures_and_days_off() -> None:
    """A ward administrator closes only their own unit's counter; the district administrator sees and manages
    every ward's closures. Official days off apply to every unit, so only the district administrator changes
    them (a ward administrator reads them)."""
    from apps.appointments.admin import ClosureAdmin, OfficialDayAdmin
    from apps.appointments.models import Closure, OfficialDay

    admin.site.unregister(Closure)
    admin.site.unregister(OfficialDay)

    @admin.register(Closure)
    class BackofficeClosureAdmin(UnitScopedAdminMixin, AuditedAdminMixin, ClosureAdmin):
        unit_field = "unit"
        list_filter = (("unit", ScopedUnitFilter),)
        list_display = (*ClosureAdmin.list_display, "citizens")

        @admin.display(description=_("citizens affected"))
        def citizens(self, obj):
            from django.urls import reverse
            from django.utils.html import format_html

            return format_html(
                '<a href="{}">{}</a>', reverse("backoffice:closure", args=[obj.pk]), gettext("messages and resend")
            )

        def get_queryset(self, request):
            # The appointments app scopes to the officer's own units only; the back office's scoping also lets the
            # district administrator see every ward, so it replaces that filter.
            return queryset_scope_to_user(
                admin.ModelAdmin.get_queryset(self, request).select_related("unit"),
                user=request.user,
                unit_field=self.unit_field,
            )

        def formfield_for_foreignkey(self, db_field, request, **kwargs):
            if db_field.name == "unit":
                kwargs["queryset"] = queryset_scope_to_user(
                    PoliceUnit.objects.filter(is_active=True), user=request.user, unit_field="pk"
                )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)

    @admin.register(OfficialDay)
    class BackofficeOfficialDayAdmin(AuditedAdminMixin, OfficialDayAdmin):
        def has_add_permission(self, request):
            return user_sees_all_units(request.user) and super().has_add_permission(request)

        def has_change_permission(self, request, obj=None):
            return user_sees_all_units(request.user) and super().has_change_permission(request, obj)

        def has_delete_permission(self, request, obj=None):
            return user_sees_all_units(request.user) and super().has_delete_permission(request, obj)


_register_filings()
_register_appointments()
_register_closures_and_days_off()


# --- Officers' authenticator devices (django-otp) --------------------------------------------------------------
# Devices are set up by the officer (signin.second_factor_setup_view), never typed in here: the admin only lists
# them, and a district administrator removes the device of an officer who lost their phone. The key is never shown.
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    list_display = ("officer", "device_name", "is_confirmed")
    search_fields = ("user__username",)
    fields = ("officer", "device_name", "is_confirmed")
    readonly_fields = fields
    list_select_related = ("user",)

    @admin.display(description=_("officer"), ordering="user__username")
    def officer(self, obj):
        return obj.user.get_username()

    @admin.display(description=_("device"))
    def device_name(self, obj):
        return obj.name

    @admin.display(description=_("set up"), boolean=True)
    def is_confirmed(self, obj):
        return obj.confirmed

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
