from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import OUT_OF_SCOPE, AuditedAdminMixin, SearchAdminMixin
from apps.backoffice.models import AuditAction
from apps.backoffice.search import SearchFields
from apps.backoffice.services import audit_record
from apps.core.paging import EstimatedCountPaginator
from apps.notifications.models import Status as MessageStatus
from apps.units.models import PoliceUnit

from .conversations import report_reply, report_reply_route, report_request_contact
from .models import (
    OPEN_STATUSES,
    ChatDirection,
    ChatEntry,
    Report,
    ReportEvent,
    ReportPhoto,
    ReportSource,
    ReportStatus,
)
from .selectors import (
    OVERDUE_PAGE_LIMIT,
    report_handler_choices,
    report_list_for_user,
    report_list_overdue,
    report_user_can_assign,
)
from .services import (
    NOT_HANDLER,
    NOT_SUPERVISOR,
    TRANSITIONS,
    report_advance,
    report_answer,
    report_assign,
    report_close,
    report_forward,
    report_start,
    report_step_plan,
    report_take,
)

ANSWER_SENT = _("The reporter gets a message with the tracking code and the page showing your answer.")
ANSWER_NOT_SENT = _(
    "The reporter left no phone number, so no message is sent. An anonymous reporter sees only the status."
)
ACTION_TARGET = {
    "take": ReportStatus.ASSIGNED,
    "assign": ReportStatus.ASSIGNED,
    "start": ReportStatus.IN_PROGRESS,
    "answer": ReportStatus.ANSWERED,
    "forward": ReportStatus.FORWARDED,
    "close": ReportStatus.CLOSED,
}
ACTION_LABELS = {
    "": _("— no change —"),
    "take": _("Take it (assign to me)"),
    "assign": _("Assign to an officer"),
    "start": _("Start handling"),
    "answer": _("Answer the reporter"),
    "forward": _("Forward to another unit"),
    "close": _("Close"),
}


# The buttons on a report's page: each goes as far along the usual road as it says, in one save
# (services.report_advance). The label of "start" says "take and start" when the report has no handler yet.
STEP_LABELS = {
    "take": _("Take it"),
    "start": _("Start handling"),
    "take_start": _("Take it and start handling"),
    "answer": _("Send the answer"),
    "answer_close": _("Send the answer and close"),
    "close": _("Close without an answer"),
}
STEP_FIELD = "_step"


def report_step_buttons(*, report: Report, user) -> list[tuple[str, str]]:
    """(step, label) of the buttons this officer gets on this report's page, in the road's order."""
    if report.pk is None:
        return []
    buttons = []
    supervisor = report_user_can_assign(user=user)
    for step in ("take", "start", "answer", "answer_close", "close"):
        plan = report_step_plan(report=report, step=step)
        if not plan:
            continue
        if step == "take" and report.handler_id == user.pk:
            continue
        if plan[0] != ReportStatus.ASSIGNED and report.handler_id != user.pk and not supervisor:
            continue  # someone else's report: only "take" (when allowed) is offered
        label = STEP_LABELS["take_start"] if step == "start" and plan[0] == ReportStatus.ASSIGNED else STEP_LABELS[step]
        buttons.append((step, label))
    return buttons


def overdue_text(delta: timedelta) -> str:
    """ "1 d 2 h" / "3 h 5 min": how long a report is past its answer time (Django's timesince has no Vietnamese)."""
    minutes = int(delta.total_seconds() // 60)
    days, hours, minutes = minutes // (24 * 60), minutes // 60 % 24, minutes % 60
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


class StepButtonsWidget(forms.Widget):
    """The step buttons, as submit buttons of the report's form (so the answer and note typed go with them)."""

    buttons: list[tuple[str, str]] = []

    def render(self, name, value, attrs=None, renderer=None):
        if not self.buttons:
            return format_html("<p>{}</p>", _("Nothing more to do: the report is closed."))
        html = '<button type="submit" class="button reports-step" name="{}" value="{}">{}</button>'
        return format_html_join(" ", html, ((STEP_FIELD, step, label) for step, label in self.buttons))

    def value_from_datadict(self, data, files, name):
        return data.get(STEP_FIELD, "")


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ReportWorkflowForm(forms.ModelForm):
    """The citizen's report is read-only; officers move it through the workflow with these fields."""

    action = forms.ChoiceField(label=_("Next step"), required=False)
    handler_choice = OfficerChoiceField(label=_("Officer"), queryset=get_user_model().objects.none(), required=False)
    to_unit = forms.ModelChoiceField(label=_("Forward to"), queryset=PoliceUnit.objects.none(), required=False)
    answer_text = forms.CharField(
        label=_("Answer to the reporter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the reporter's phone when they gave one."),
    )
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    step_buttons = forms.CharField(label=_("Move the report"), required=False, widget=StepButtonsWidget)

    class Meta:
        model = Report
        fields = ()

    user = None  # set by ReportAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        report = self.instance
        allowed = TRANSITIONS.get(report.status, set()) if report.pk else set()
        self.fields["action"].choices = [
            (key, label) for key, label in ACTION_LABELS.items() if not key or ACTION_TARGET[key] in allowed
        ]
        if report.pk and self.user is not None:
            self.fields["step_buttons"].widget.buttons = report_step_buttons(report=report, user=self.user)
        if report.pk:
            self.fields["handler_choice"].queryset = report_handler_choices(report=report)
            self.fields["to_unit"].queryset = PoliceUnit.objects.filter(is_active=True).exclude(pk=report.unit_id)
            self.fields["answer_text"].initial = report.answer

    def clean(self):
        cleaned = super().clean()
        step = self.data.get(STEP_FIELD, "")
        if step:
            self._clean_step(step, cleaned)
            return cleaned
        action = cleaned.get("action")
        if action == "assign" and not cleaned.get("handler_choice"):
            self.add_error("handler_choice", _("Choose the officer."))
        if action == "forward" and not cleaned.get("to_unit"):
            self.add_error("to_unit", _("Choose the unit."))
        if action == "answer" and not (cleaned.get("answer_text") or "").strip():
            self.add_error("answer_text", _("Write the answer to the reporter."))
        user = self.user
        if user is not None and action:
            supervisor = report_user_can_assign(user=user)
            if action == "assign" and not supervisor and cleaned.get("handler_choice") != user:
                self.add_error("action", NOT_SUPERVISOR)
            elif (
                action in {"start", "answer", "forward", "close"}
                and not supervisor
                and (self.instance.handler_id != user.pk)
            ):
                self.add_error("action", NOT_HANDLER)
        return cleaned

    def _clean_step(self, step: str, cleaned: dict) -> None:
        """A step button: checked here so that a refusal shows next to the fields, with what was typed kept."""
        report, user = self.instance, self.user
        plan = report_step_plan(report=report, step=step)
        if not plan:
            self.add_error(
                None,
                _("This step is not possible for a report that is “%(current)s”.")
                % {"current": report.get_status_display()},
            )
            return
        if ReportStatus.ANSWERED in plan and not (cleaned.get("answer_text") or "").strip():
            self.add_error("answer_text", _("Write the answer to the reporter."))
        takes = plan[0] == ReportStatus.ASSIGNED
        if user is not None and not takes and report.handler_id != user.pk and not report_user_can_assign(user=user):
            self.add_error(None, NOT_HANDLER)


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        now = timezone.now()
        counts = (
            report_list_for_user(user=request.user)
            .open()
            .aggregate(
                overdue=Count("pk", filter=Q(due_at__lt=now)),
                soon=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(hours=24))),
            )
        )
        return [
            ("overdue", _("Overdue (%(count)d)") % {"count": counts["overdue"]}),
            ("soon", _("Due within 24 hours (%(count)d)") % {"count": counts["soon"]}),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, due_at__lt=now)
        if self.value() == "soon":
            return queryset.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + timedelta(hours=24))
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = _("handler")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(handler=request.user)
        if self.value() == "nobody":
            return queryset.filter(handler__isnull=True)
        return queryset


class ReportPhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    fields = ("preview",)
    readonly_fields = ("preview",)
    can_delete = False

    @admin.display(description=_("photo"))
    def preview(self, obj):
        url = reverse("admin:reports_report_photo", args=[obj.report_id, obj.pk])
        html = '<a href="{0}" target="_blank"><img class="reports-photo" src="{0}" alt=""></a>'
        return format_html(html, url)

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may open the report (ReportAdmin scopes it by unit) sees its photos and history, read-only.
        return True

    def has_change_permission(self, request, obj=None):
        return False


class ZaloReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1800}),
        max_length=1800,
        help_text=_("Plain words the citizen understands; it is sent as it is, with the report's code."),
    )


def chat_delivery_label(entry: ChatEntry) -> str:
    """What happened to a message the police sent in the conversation, for the handler."""
    notification = entry.notification
    if notification is None:
        return ""
    last = notification.delivery_attempts.exclude(reason="").order_by("-started_at").first()
    if notification.delivered_at:
        label = _("Delivered")
    elif notification.status == MessageStatus.SENT:
        label = _("Sent")
    elif notification.status in {MessageStatus.QUEUED, MessageStatus.SENDING}:
        label = _("Waiting to be sent")
    else:
        label = _("Not sent")
    via = notification.get_channel_display() if notification.channel else ""
    parts = [str(label), str(via)]
    if last is not None:
        parts.append(str(last.get_reason_display()))
    return " · ".join(part for part in parts if part)


class ChatEntryInline(admin.TabularInline):
    """The Zalo conversation, oldest first: what the citizen sent and what the police answered."""

    model = ChatEntry
    extra = 0
    fields = ("created_at", "direction", "kind", "content", "delivery")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Zalo conversation")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("notification", "photo")

    @admin.display(description=_("message"))
    def content(self, obj: ChatEntry):
        if obj.latitude is not None and obj.longitude is not None:
            map_url = f"https://www.openstreetmap.org/?mlat={obj.latitude}&mlon={obj.longitude}#map=18/{obj.latitude}/{obj.longitude}"
            return format_html(
                '{} <a href="{}" target="_blank" rel="noopener noreferrer">{}, {}</a>',
                _("Location:"),
                map_url,
                obj.latitude,
                obj.longitude,
            )
        if obj.photo_id:
            url = reverse("admin:reports_report_photo", args=[obj.report_id, obj.photo_id])
            return format_html('<a href="{0}" target="_blank"><img class="reports-photo" src="{0}" alt=""></a>', url)
        if obj.url:
            return format_html(
                '{} <a href="{}" target="_blank" rel="noopener noreferrer nofollow">{}</a>',
                obj.text,
                obj.url,
                _("open the link"),
            )
        return obj.text

    @admin.display(description=_("delivery"))
    def delivery(self, obj: ChatEntry):
        return chat_delivery_label(obj) if obj.direction == ChatDirection.OUT else ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ("created_at", "from_status", "to_status", "actor", "handler", "to_unit", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may open the report (ReportAdmin scopes it by unit) sees its photos and history, read-only.
        return True

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(SearchAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """A unit's queue (scoped by reports.selectors.report_list_for_user). Opening a report, each step and each
    photo viewed are written to the back office's audit log: reports carry personal data."""

    form = ReportWorkflowForm
    list_display = ("code", "deadline", "category", "status", "unit", "handler", "created_at", "source")
    list_filter = (OverdueFilter, MineFilter, "status", "category", "source", "unit", "created_at")
    search_spec = SearchFields(
        code=("code",), phone=("contact_phone",), name=("contact_name",), text=("description", "address")
    )
    list_select_related = ("unit", "handler")
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ("take_selected",)
    inlines = (ChatEntryInline, ReportPhotoInline, ReportEventInline)
    readonly_fields = (
        "code", "category", "status", "unit", "handler", "description", "address", "occurred_at", "is_anonymous",
        "contact_name", "contact_phone", "source", "created_at", "due_at", "answer",
    )  # fmt: skip
    fieldsets = (
        (_("Report"), {"fields": ("code", "category", "description", "address", "occurred_at", "source")}),
        (_("Reporter"), {"fields": ("is_anonymous", "contact_name", "contact_phone")}),
        (_("Handling"), {"fields": ("status", "unit", "handler", "created_at", "due_at", "answer")}),
        (_("Next step"), {"fields": ("answer_text", "note", "step_buttons")}),
        (_("Assign or forward"), {"fields": ("action", "handler_choice", "to_unit")}),
    )

    class Media:
        css = {"all": ["reports/admin.css"]}

    @admin.display(description=_("answer due"), ordering="due_at")
    def deadline(self, obj: Report):
        due = timezone.localtime(obj.due_at).strftime("%d/%m %H:%M")
        if obj.is_overdue:
            return format_html('<strong class="reports-overdue">{} {}</strong>', _("Overdue"), due)
        return due

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None or obj.source != ReportSource.ZALO:
            inlines = [inline for inline in inlines if not isinstance(inline, ChatEntryInline)]
        return inlines

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.source == ReportSource.ZALO:
            fieldsets = (*fieldsets[:2], (_("Zalo chat"), {"fields": ("zalo_chat",)}), *fieldsets[2:])
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "zalo_chat")

    def response_change(self, request, obj):
        step = request.POST.get(STEP_FIELD)
        if step:
            # One screen: after a step the officer stays on the report, with its new state and history.
            return HttpResponseRedirect(reverse("admin:reports_report_change", args=[obj.pk]))
        return super().response_change(request, obj)

    @admin.display(description=_("reply"))
    def zalo_chat(self, obj: Report):
        if obj is None or obj.pk is None:
            return ""
        route = report_reply_route(report=obj)
        url = reverse("admin:reports_report_zalo_reply", args=[obj.pk])
        if route.in_chat:
            hint = _("Zalo's window is open: a reply reaches the citizen's chat.")
        elif route.phone:
            hint = _("Outside Zalo's 7-day window: a reply goes to the phone the citizen gave.")
        else:
            hint = _("Outside Zalo's 7-day window and no phone: the citizen cannot be reached.")
        dropped = ""
        if obj.dropped_messages:
            dropped = _("%(count)d further messages of a flood were counted, not kept.") % {
                "count": obj.dropped_messages
            }
        return format_html('<a class="button" href="{}">{}</a> {} {}', url, _("Reply in Zalo"), hint, dropped)

    def get_urls(self):
        view = self.admin_site.admin_view(self.photo_view)
        return [
            path("<int:report_id>/photo/<int:photo_id>/", view, name="reports_report_photo"),
            path("qua-han/", self.admin_site.admin_view(self.overdue_view), name="reports_report_overdue"),
            path(
                "<int:report_id>/zalo/reply/",
                self.admin_site.admin_view(self.zalo_reply_view),
                name="reports_report_zalo_reply",
            ),
            path(
                "<int:report_id>/zalo/contact/",
                self.admin_site.admin_view(self.zalo_contact_view),
                name="reports_report_zalo_contact",
            ),
            *super().get_urls(),
        ]

    def overdue_view(self, request):
        """Reports past their answer time, most urgent priority first, for the officer's units (one unit with
        ?unit=<id>)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            unit_id = int(request.GET["unit"])
        except (KeyError, ValueError):
            unit_id = None
        now = timezone.now()
        found = report_list_overdue(user=request.user, unit_id=unit_id, now=now)
        for report in found.reports:
            report.overdue_for = overdue_text(now - report.due_at)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Overdue reports"),
            "found": found,
            "unit_id": unit_id,
            "now": now,
            "limit": OVERDUE_PAGE_LIMIT,
        }
        return TemplateResponse(request, "reports/admin/overdue.html", context)

    def _zalo_report(self, request, report_id: int) -> Report:
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = self.get_queryset(request).filter(pk=report_id, source=ReportSource.ZALO).first()
        if report is None:
            raise Http404(OUT_OF_SCOPE)
        return report

    def zalo_reply_view(self, request, report_id: int):
        """A handler writes back in the conversation (OA consultation message, or the phone outside the window)."""
        report = self._zalo_report(request, report_id)
        form = ZaloReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                report_reply(report=report, actor=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                self.message_user(request, _("The reply is on its way; its delivery shows in the conversation."))
                return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "report": report,
            "form": form,
            "route": report_reply_route(report=report),
            "title": _("Reply in Zalo"),
        }
        return TemplateResponse(request, "reports/admin/zalo_reply.html", context)

    def zalo_contact_view(self, request, report_id: int):
        report = self._zalo_report(request, report_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:reports_report_zalo_reply", args=[report.pk]))
        try:
            report_request_contact(report=report, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("The citizen was asked in the chat to share name and phone."))
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))

    def photo_view(self, request, report_id: int, photo_id: int):
        """A report's photo, for officers who may see the report (the files are not under MEDIA_URL)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        report = self.get_queryset(request).filter(pk=report_id).first()
        photo = report.photos.filter(pk=photo_id).first() if report else None
        if photo is None:
            raise Http404
        audit_record(user=request.user, action=AuditAction.VIEW, obj=report, detail=f"photo {photo.pk}")
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(OUT_OF_SCOPE)  # another unit's report looks like a missing one
        return obj

    def get_queryset(self, request):
        return report_list_for_user(user=request.user).select_related("unit", "unit__parent", "handler")

    def has_add_permission(self, request):
        return False  # reports come from citizens only

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        action, note, user = data.get("action"), data.get("note", ""), request.user
        step = request.POST.get(STEP_FIELD)
        if step:
            self._save_step(request, obj, step=step, answer=data.get("answer_text", ""), note=note)
            return
        if not action:
            return
        try:
            if action == "take":
                report_take(report=obj, actor=user, note=note)
            elif action == "assign":
                report_assign(report=obj, handler=data["handler_choice"], actor=user, note=note)
            elif action == "start":
                report_start(report=obj, actor=user, note=note)
            elif action == "answer":
                report = report_answer(report=obj, actor=user, answer=data["answer_text"], note=note)
                if report.contact_phone and not report.is_anonymous:
                    self.message_user(request, ANSWER_SENT, messages.SUCCESS)
                else:
                    self.message_user(request, ANSWER_NOT_SENT, messages.WARNING)
            elif action == "forward":
                report_forward(report=obj, to_unit=data["to_unit"], actor=user, note=note)
            elif action == "close":
                report_close(report=obj, actor=user, note=note)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def _save_step(self, request, obj: Report, *, step: str, answer: str, note: str) -> None:
        try:
            report = report_advance(report=obj, actor=request.user, step=step, answer=answer, note=note)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        if report.answer and step in {"answer", "answer_close"}:
            if report.contact_phone and not report.is_anonymous:
                self.message_user(request, ANSWER_SENT, messages.SUCCESS)
            else:
                self.message_user(request, ANSWER_NOT_SENT, messages.WARNING)
        self.message_user(
            request, _("The report is now “%(status)s”.") % {"status": report.get_status_display()}, messages.SUCCESS
        )

    @admin.action(description=_("Take the selected reports (assign to me)"), permissions=["change"])
    def take_selected(self, request, queryset):
        taken = 0
        for report in queryset:
            try:
                report_take(report=report, actor=request.user)
                taken += 1
            except ValidationError as exc:
                self.message_user(request, f"{report.code}: {' '.join(exc.messages)}", messages.WARNING)
        if taken:
            self.message_user(request, _("%(count)d reports assigned to you.") % {"count": taken}, messages.SUCCESS)
