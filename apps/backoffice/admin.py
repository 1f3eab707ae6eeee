from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
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
    PermissionLabelsAdminMixin,
    ScopedUnitFilter,
    SearchAdminMixin,
    UnitScopedAdminMixin,
    WorkflowAdminMixin,
    masked,
)
from .masking import mask_id_number, mask_phone
from .models import Arrival, AuditLogEntry, ReviewState, StateTransition
from .scoping import queryset_scope_to_user, user_sees_all_units
from .search import SearchFields
from .selectors import state_label
from .services import appointment_move, filing_review_sync, officer_display_name


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


class TargetStateFilter(admin.SimpleListFilter):
    """The states records were moved to, by their names (the stored values are codes)."""

    title = _("to state")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        from django.contrib.contenttypes.models import ContentType

        pairs = model_admin.get_queryset(request).values_list("content_type", "target").distinct().order_by()
        labels = {}
        for content_type_id, target in pairs:
            label = state_label(content_type=ContentType.objects.get_for_id(content_type_id), value=target)
            labels.setdefault(target, label)
        return sorted(labels.items(), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(target=self.value()) if self.value() else queryset


@admin.register(StateTransition)
class StateTransitionAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, ExportAdminMixin, admin.ModelAdmin):
    unit_field = "unit"
    export_filename = "chuyen-trang-thai"
    list_display = ("at", "object_repr", "source_label", "target_label", "username", "unit", "reason")
    list_filter = (("unit", ScopedUnitFilter), "content_type", TargetStateFilter, "at")
    search_fields = ("object_repr", "object_id", "username", "reason")
    list_select_related = ("unit", "content_type")
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = (
        "at",
        "user",
        "username",
        "content_type",
        "object_id",
        "object_repr",
        "unit",
        "source_label",
        "target_label",
        "reason",
    )
    readonly_fields = fields

    @admin.display(description=_("from state"), ordering="source")
    def source_label(self, obj):
        return state_label(content_type=obj.content_type, value=obj.source)

    @admin.display(description=_("to state"), ordering="target")
    def target_label(self, obj):
        return state_label(content_type=obj.content_type, value=obj.target)


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
        name=("appointment__holder_name",),
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


# --- Declarations: the journey's admin, limited to the officer's units, audited, masked, with the review -----
class ReviewStateFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return ReviewState.choices

    def queryset(self, request, queryset):
        return queryset.filter(review__state=self.value()) if self.value() else queryset


def _register_declarations() -> None:
    from apps.declarations.admin import DeclarationAdmin
    from apps.declarations.models import Declaration

    from .review import REVIEW

    admin.site.unregister(Declaration)

    @admin.register(Declaration)
    class BackofficeDeclarationAdmin(SearchAdminMixin, ExportAdminMixin, WorkflowAdminMixin, DeclarationAdmin):
        """The declarations app's admin (already scoped to the officer's units and audited) with the review
        workflow, the accent-insensitive search, the review filters and the exports."""

        workflow = REVIEW
        export_filename = "to-khai"
        list_display = (
            "code",
            "holder_name",
            masked("id_number", mask_id_number, _("card number")),
            masked("phone", mask_phone, _("phone")),
            "request_type",
            "review_state",
            "appointment_time",
            "unit",
            "status",
            "print_links",
        )
        list_filter = (
            ("appointment__unit", ScopedUnitFilter),
            ReviewStateFilter,
            "status",
            "request_type",
            "submitted_at",
        )
        list_select_related = ("review", "appointment__unit", "appointment__slot")

        def get_queryset(self, request):
            # DeclarationAdmin's queryset already has a select_related, so the changelist would not apply
            # list_select_related: join the review here too (one query for the whole list page).
            return super().get_queryset(request).select_related(*self.list_select_related)

        search_spec = SearchFields(code=("code",), phone=("phone",), id_number=("id_number",), name=("holder_name",))
        readonly_fields = (*DeclarationAdmin.readonly_fields, "review_state", "review_history")
        fields = readonly_fields
        export_columns = [
            (_("code"), "code"),
            (_("name"), "holder_name"),
            (_("Phone"), lambda d: phone_national(str(d.phone or ""))),
            (_("Card number"), "id_number"),
            (_("Status"), lambda d: d.get_status_display()),
            (_("request"), lambda d: d.get_request_type_display()),
            (_("review"), lambda d: d.review.get_state_display() if hasattr(d, "review") else ""),
            (_("appointment"), lambda d: timezone.localtime(d.appointment.slot.starts_at) if d.appointment else None),
            (_("unit"), lambda d: str(d.appointment.unit) if d.appointment else ""),
        ]

        def workflow_subject(self, obj):
            return getattr(obj, "review", None) or filing_review_sync(declaration=obj)

        @admin.display(description=_("review"), ordering="review__state")
        def review_state(self, obj):
            review = getattr(obj, "review", None)
            return review.get_state_display() if review else ""

        @admin.display(description=_("appointment"), ordering="appointment__slot__starts_at")
        def appointment_time(self, obj):
            if obj.appointment is None:
                return ""
            return timezone.localtime(obj.appointment.slot.starts_at).strftime("%H:%M %d/%m/%Y")

        @admin.display(description=_("unit"), ordering="appointment__unit__name")
        def unit(self, obj):
            return obj.appointment.unit if obj.appointment else ""

        @admin.display(description=_("review history"))
        def review_history(self, obj):
            review = getattr(obj, "review", None)
            if review is None:
                return ""
            rows = StateTransition.objects.filter(
                content_type__app_label="backoffice",
                content_type__model="filingreview",
                object_id=str(review.pk),
            ).order_by("at", "id")
            return (
                format_html_join(
                    mark_safe("<br>"),
                    "{} · {} → {} · {}{}",
                    (
                        (
                            timezone.localtime(t.at).strftime("%H:%M %d/%m/%Y"),
                            dict(ReviewState.choices).get(t.source, t.source),
                            dict(ReviewState.choices).get(t.target, t.target),
                            t.username,
                            f" · {t.reason}" if t.reason else "",
                        )
                        for t in rows
                    ),
                )
                or "—"
            )


def _register_appointments() -> None:
    from apps.appointments.admin import AppointmentAdmin
    from apps.appointments.models import Appointment

    admin.site.unregister(Appointment)

    @admin.register(Appointment)
    class BackofficeAppointmentAdmin(
        SearchAdminMixin, UnitScopedAdminMixin, AuditedAdminMixin, ExportAdminMixin, AppointmentAdmin
    ):
        unit_field = "unit"
        search_spec = SearchFields(
            code=("reference",), phone=("phone",), id_number=("id_number",), name=("holder_name",)
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
            from django.template.response import TemplateResponse

            from .forms import BulkCancelForm
            from .services import appointment_cancel_by_officer

            appointments = list(queryset.select_related("slot", "unit", "procedure").order_by("slot__starts_at"))
            form = BulkCancelForm(request.POST if request.POST.get("confirm") else None)
            if form.is_bound and form.is_valid():
                cancelled, refused = appointment_cancel_by_officer(
                    appointments=appointments, user=request.user, reason=form.cleaned_data["reason"]
                )
                if cancelled:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)s appointment cancelled; the citizen is told the reason by message.",
                            "%(count)s appointments cancelled; each citizen is told the reason by message.",
                            len(cancelled),
                        )
                        % {"count": len(cancelled)},
                        messages.SUCCESS,
                    )
                for appointment, why in refused:
                    self.message_user(request, f"{appointment.reference}: {why}", messages.ERROR)
                return None
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Cancel appointments"),
                "form": form,
                "rows": [(a, a.status == "booked") for a in appointments],
                "to_cancel": sum(1 for a in appointments if a.status == "booked"),
                "action_name": "cancel_selected",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "backoffice/cancel_confirm.html", context)

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


_register_declarations()
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
