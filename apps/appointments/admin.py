"""Officers' side: schedules, capacity per procedure, closures, official days, appointments, the week view.

Every change that can leave bookings without a valid place (capacity, slot length, closures, days off, turning
online booking off) is saved through a service that returns the affected bookings; admin shows them with a link
to move each one (`appointment_reschedule(..., by_officer=True)`). Nothing is ever cancelled silently.
Officers who are not superusers see only the units they belong to (`User.units`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core.paging import EstimatedCountPaginator
from apps.units.models import PoliceUnit

from .models import Appointment, BookingSchedule, Closure, OfficialDay, ProcedureCapacity
from .selectors import (
    AffectedAppointment,
    appointment_list_affected,
    slot_list_available,
    slot_list_nearest,
    slot_week_overview,
)
from .services import appointment_cancel, appointment_reschedule, closure_save, official_day_save, schedule_save

CANCELLED_BY_OFFICER = _("Cancelled by an officer")


def _units_of(request: HttpRequest) -> QuerySet[PoliceUnit] | None:
    """The units an officer may manage; None for a superuser (all of them)."""
    if request.user.is_superuser:
        return None
    return request.user.units.all()


def _scoped(request: HttpRequest, qs: QuerySet, field: str = "unit") -> QuerySet:
    units = _units_of(request)
    return qs if units is None else qs.filter(**{f"{field}__in": units})


def _affected_message(request: HttpRequest, affected: list[AffectedAppointment]) -> None:
    if not affected:
        return
    links = format_html_join(
        ", ",
        '<a href="{}">{} ({})</a>',
        (
            (
                reverse("admin:appointments_appointment_move", args=[a.appointment.pk]),
                a.appointment,
                a.reason,
            )
            for a in affected
        ),
    )
    text = ngettext(
        "%(count)s upcoming booking no longer fits and stays booked until you move it:",
        "%(count)s upcoming bookings no longer fit and stay booked until you move them:",
        len(affected),
    ) % {"count": len(affected)}
    messages.warning(request, format_html("{} {}", text, links))


class ProcedureCapacityInline(admin.TabularInline):
    model = ProcedureCapacity
    extra = 0
    autocomplete_fields = ()


def _notify_citizen(**kwargs):
    # Imported late: the notifications app itself depends on this one (reminders read appointments).
    from apps.notifications.services import notification_send_appointment_change

    return notification_send_appointment_change(**kwargs)


@admin.register(BookingSchedule)
class BookingScheduleAdmin(admin.ModelAdmin):
    list_display = (
        "unit",
        "slot_minutes",
        "capacity",
        "lead_time_hours",
        "horizon_days",
        "is_active",
        "week_link",
        "affected_link",
    )
    list_filter = ("is_active", "unit__kind")
    search_fields = ("unit__name", "unit__name_en", "unit__address")
    list_select_related = ("unit",)
    inlines = (ProcedureCapacityInline,)

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and _units_of(request) is not None:
            kwargs["queryset"] = _units_of(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("week"))
    def week_link(self, obj: BookingSchedule) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:appointments_bookingschedule_week", args=[obj.pk]),
            gettext("Week view"),
        )

    @admin.display(description=_("bookings to move"))
    def affected_link(self, obj: BookingSchedule) -> str:
        count = len(appointment_list_affected(unit=obj.unit))
        if not count:
            return "0"
        return format_html(
            '<a href="{}"><strong>{}</strong></a>',
            reverse("admin:appointments_bookingschedule_affected", args=[obj.pk]),
            count,
        )

    def save_model(self, request, obj, form, change):
        schedule_save(schedule=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Capacities per procedure are saved with the inlines, so the list is computed after them.
        _affected_message(request, appointment_list_affected(unit=form.instance.unit))

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/week/",
                self.admin_site.admin_view(self.week_view),
                name="appointments_bookingschedule_week",
            ),
            path(
                "<int:pk>/affected/",
                self.admin_site.admin_view(self.affected_view),
                name="appointments_bookingschedule_affected",
            ),
        ]
        return urls + super().get_urls()

    def _get_schedule(self, request, pk) -> BookingSchedule:
        schedule = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, schedule):
            raise PermissionDenied
        return schedule

    def week_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        schedule = self._get_schedule(request, pk)
        try:
            start = date.fromisoformat(request.GET.get("start", ""))
        except ValueError:
            start = timezone.localdate()
        start -= timedelta(days=start.weekday())  # weeks start on Monday
        week = slot_week_overview(schedule=schedule, start=start)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Week of %(date)s: %(unit)s")
            % {"date": start.strftime("%d/%m/%Y"), "unit": schedule.unit},
            "schedule": schedule,
            "week": week,
            "previous_week": (start - timedelta(days=7)).isoformat(),
            "next_week": (start + timedelta(days=7)).isoformat(),
            "this_week": timezone.localdate().isoformat(),
            "affected": appointment_list_affected(unit=schedule.unit, start=start, end=start + timedelta(days=6)),
        }
        return TemplateResponse(request, "admin/appointments/bookingschedule/week.html", context)

    def affected_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        schedule = self._get_schedule(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Bookings to move: %(unit)s") % {"unit": schedule.unit},
            "schedule": schedule,
            "affected": appointment_list_affected(unit=schedule.unit),
        }
        return TemplateResponse(request, "admin/appointments/bookingschedule/affected.html", context)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("unit", "starts_at", "ends_at", "reason", "created_at")
    list_filter = ("unit",)
    search_fields = ("reason", "reason_en", "unit__name")
    list_select_related = ("unit",)
    date_hierarchy = "starts_at"

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and _units_of(request) is not None:
            kwargs["queryset"] = _units_of(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        _affected_message(request, closure_save(closure=obj))


@admin.register(OfficialDay)
class OfficialDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "name_en", "hours_of_weekday")
    list_filter = ("kind",)
    search_fields = ("name", "name_en")
    date_hierarchy = "date"

    # Official days apply to every unit; who may edit them is the model permission (given by the back office's
    # roles to unit administrators).

    def save_model(self, request, obj, form, change):
        _affected_message(request, official_day_save(official_day=obj))


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("reference", "holder_name", "unit", "procedure", "local_start", "status", "phone")
    list_filter = ("status", "procedure", "unit", "slot__starts_at")
    search_fields = ("reference", "holder_name", "phone", "id_number")
    list_select_related = ("slot", "unit", "procedure")
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # By the slot's start copied on the appointment (`slot_starts_at`): the order of `appointments_start_name`.
    ordering = ("slot_starts_at", "id")
    actions = ("cancel_selected",)
    fields = (
        "reference",
        "holder_name",
        "phone",
        "id_number",
        "unit",
        "procedure",
        "slot",
        "status",
        "hold_expires_at",
        "booked_at",
        "cancelled_at",
        "cancel_reason",
        "reschedule_count",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # appointments are made by citizens through the journey, or by officers moving them

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled, never deleted: the history stays

    @admin.display(description=_("time"), ordering="slot_starts_at")
    def local_start(self, obj: Appointment) -> str:
        local = timezone.localtime(obj.slot.starts_at)
        return format_html(
            '{} · <a href="{}">{}</a>',
            local.strftime("%d/%m/%Y %H:%M"),
            reverse("admin:appointments_appointment_move", args=[obj.pk]),
            gettext("move"),
        )

    @admin.action(description=_("Cancel the selected appointments"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for appointment in queryset.select_related("slot"):
            try:
                appointment_cancel(appointment=appointment, reason=str(CANCELLED_BY_OFFICER), notify=_notify_citizen)
            except ValidationError as error:
                self.message_user(request, f"{appointment}: {' '.join(error.messages)}", messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request,
                ngettext("%(count)s appointment cancelled.", "%(count)s appointments cancelled.", cancelled)
                % {"count": cancelled},
                messages.SUCCESS,
            )

    def reschedule(self, request: HttpRequest, *, appointment, starts_at, unit):
        """Move a booking for an officer; the citizen is told. The back office's admin overrides this to go
        through its own service, which also writes the audit log."""
        return appointment_reschedule(
            appointment=appointment, starts_at=starts_at, unit=unit, by_officer=True, notify=_notify_citizen
        )

    def get_urls(self):
        urls = [
            path("<int:pk>/move/", self.admin_site.admin_view(self.move_view), name="appointments_appointment_move"),
        ]
        return urls + super().get_urls()

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appointment = get_object_or_404(self.get_queryset(request).select_related("slot", "unit", "procedure"), pk=pk)
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        back = request.GET.get("next") or request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        error = None
        if request.method == "POST":
            try:
                unit, starts_at = self._parse_choice(request, request.POST.get("slot", ""))
                moved = self.reschedule(request, appointment=appointment, starts_at=starts_at, unit=unit)
            except ValidationError as exc:
                error = exc
            else:
                when = timezone.localtime(moved.slot.starts_at).strftime("%d/%m/%Y %H:%M")
                self.message_user(
                    request,
                    gettext("Moved %(appointment)s to %(time)s.") % {"appointment": moved, "time": when},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back or reverse("admin:appointments_appointment_changelist"))
        try:
            day = date.fromisoformat(request.GET.get("day", ""))
        except ValueError:
            day = None
        day_slots = []
        if day is not None:
            days = slot_list_available(unit=appointment.unit, procedure=appointment.procedure, start=day, end=day)
            day_slots = [s for d in days for s in d.free_slots]
        nearest = slot_list_nearest(
            unit=appointment.unit,
            procedure=appointment.procedure,
            near=max(appointment.slot.starts_at, timezone.now()),
            limit=8,
            exclude=[(appointment.unit_id, appointment.slot.starts_at)],
        )
        units = _units_of(request)
        if units is not None:
            allowed = set(units.values_list("pk", flat=True))
            nearest = [s for s in nearest if s.unit.pk in allowed]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Move appointment %(appointment)s") % {"appointment": appointment},
            "appointment": appointment,
            "nearest": sorted(nearest, key=lambda s: (s.starts_at, s.unit.pk != appointment.unit_id)),
            "day": day,
            "day_slots": day_slots,
            "error": error,
            "next": back,
        }
        return TemplateResponse(request, "admin/appointments/appointment/move.html", context)

    def _parse_choice(self, request, value: str) -> tuple[PoliceUnit, datetime]:
        try:
            unit_pk, stamp = value.split("@", 1)
            starts_at = timezone.make_aware(datetime.strptime(stamp, "%Y%m%d%H%M"), timezone.get_default_timezone())
            units = _units_of(request)
            unit = (units if units is not None else PoliceUnit.objects.all()).get(pk=int(unit_pk))
        except (ValueError, PoliceUnit.DoesNotExist):
            raise ValidationError(gettext("Choose one of the times offered.")) from None
        return unit, starts_at
