"""The officers' review of filings (every procedure alike): the answers as labelled fields, what the citizen's
last correction changed, and the moves `transitions.TRANSITIONS` allows an officer from the filing's state, each
made by `backoffice.services.filing_review_move` (the officer's units, the audit log) through
`services.filing_transition` (the timeline's event, the citizen's message)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import (
    AuditedAdminMixin,
    ExportAdminMixin,
    FastActionCheckboxMixin,
    FastRowLinksChangeList,
    ScopedUnitFilter,
    SearchAdminMixin,
    UnitScopedAdminMixin,
    masked,
)
from apps.backoffice.masking import mask_id_number, mask_phone
from apps.backoffice.scoping import queryset_scope_to_user
from apps.backoffice.search import SearchFields
from apps.backoffice.services import filing_review_move
from apps.core.paging import EstimatedCountPaginator

from . import selectors
from .forms import FilingMoveForm
from .models import Filing, FilingEvent, FilingState
from .transitions import OFFICER

MSG_MOVED = _("The filing is now “%(state)s”.")
MSG_CORRECTED_FLAG = _("Corrected by the citizen: check again")
MSG_RETURNED_BY = _("returned by %(name)s")


class FilingEventInline(admin.TabularInline):
    model = FilingEvent
    fields = ("at", "source", "state", "reason", "username")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ResubmittedFilter(admin.SimpleListFilter):
    """Filings the citizen corrected and sent again, waiting for an officer's new check (first the ones this
    officer returned): the dashboard's alert links here."""

    title = _("corrected, to check again")
    parameter_name = "sua_lai"

    def lookups(self, request, model_admin):
        return (("waiting", _("Waiting for a new check")), ("mine", _("Waiting, returned by me")))

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(selectors.filing_resubmitted())
        if self.value() == "mine":
            return (
                queryset.filter(selectors.filing_resubmitted())
                .alias(returned_by=selectors.filing_returned_by())
                .filter(returned_by=request.user.pk)
            )
        return queryset


class CorrectedFilter(admin.SimpleListFilter):
    """Filings the citizen corrected after they were returned (what the officer checks again)."""

    title = _("corrected by the citizen")
    parameter_name = "corrected"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        # `corrected_at` is set by every correction (filings 0010 filled it for the earlier ones).
        if self.value() == "yes":
            return queryset.filter(corrected_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(corrected_at__isnull=True)
        return queryset


class ResubmittedChangeList(FastRowLinksChangeList):
    """The queue's page of rows knows who returned the corrected ones (one query on the page's waiting rows only,
    not on the count)."""

    def get_results(self, request):
        super().get_results(request)
        ids = [obj.pk for obj in self.result_list if obj.corrected_at is not None]
        if not ids:
            return
        extra = {
            row["pk"]: row
            for row in Filing.objects.filter(selectors.filing_resubmitted(), pk__in=ids)
            .annotate(
                returned_by_name=Subquery(
                    FilingEvent.objects.filter(filing=OuterRef("pk"), state=FilingState.RETURNED)
                    .order_by("-at", "-id")
                    .values("username")[:1]
                ),
            )
            .values("pk", "returned_by_name")
        }
        for obj in self.result_list:
            obj.returned_by_name = extra.get(obj.pk, {}).get("returned_by_name", "")


@admin.register(FilingEvent)
class FilingEventAdmin(UnitScopedAdminMixin, ExportAdminMixin, admin.ModelAdmin):
    """Every filing's moves, newest first (the back office's list of state changes): written only by
    `services.filing_transition`, read here."""

    unit_field = "filing__appointment__unit"
    export_filename = "chuyen-trang-thai"
    list_display = ("at", "filing", "source_label", "state", "username", "reason")
    list_filter = ("state", "at")
    search_fields = ("filing__code", "username", "reason")
    list_select_related = ("filing",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("at", "filing", "source_label", "state", "reason", "user", "username")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("from state"), ordering="source")
    def source_label(self, obj: FilingEvent) -> str:
        return str(dict(FilingState.choices).get(obj.source, obj.source or "—"))


@admin.register(Filing)
class FilingAdmin(FastActionCheckboxMixin, SearchAdminMixin, UnitScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Every procedure's filings (the review queue): officers see those booked at their units and move them only
    through `services.filing_transition` (the buttons above the form, one per move the table allows)."""

    unit_field = "appointment__unit"
    change_form_template = "admin/filings/filing/change_form.html"
    list_display = (
        "code",
        "procedure",
        "holder_name",
        masked("id_number", mask_id_number, _("card number")),
        masked("phone", mask_phone, _("phone")),
        "state_shown",
        "visit",
        "submitted_at",
    )
    list_filter = (
        ("appointment__unit", ScopedUnitFilter),
        "state",
        ResubmittedFilter,
        CorrectedFilter,
        "procedure",
        "submitted_at",
    )
    search_spec = SearchFields(code=("code",), phone=("phone",), id_number=("id_number",), name_key=("name_key",))
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_select_related = ("procedure", "appointment__slot", "appointment__unit")
    fields = (
        "code",
        "procedure",
        "holder_name",
        "birth_date",
        "id_number",
        "phone",
        "email",
        "language",
        "details",
        "changes",
        "visit",
        "state",
        "officer_note",
        "submitted_at",
        "updated_at",
        # What the citizen accepted on the journey's first step (apps.privacy): the counter fills in the sensitive
        # items (ethnicity, religion, blood group) when this says no.
        "notice_accepted",
        "sensitive_consent_given",
    )
    readonly_fields = tuple(name for name in fields if name != "officer_note")
    inlines = (FilingEventInline,)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        # A ward's officer: also by the filing's own copy of its appointment's unit (`Filing.unit`), the same rows
        # (both must be the officer's), but narrowed by an index of filings before any row is read: a name search
        # confirms the ward's namesakes only, not the whole city's.
        return queryset_scope_to_user(queryset, user=request.user, unit_field="unit")

    def get_changelist(self, request, **kwargs):
        return ResubmittedChangeList

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields  # the state too: it changes only by a move

    @admin.display(description=_("privacy notice accepted"))
    def notice_accepted(self, obj: Filing) -> str:
        return _("Version %(version)s") % {"version": obj.notice_version} if obj.notice_version else _("Not recorded")

    @admin.display(description=_("consent to sensitive data"))
    def sensitive_consent_given(self, obj: Filing) -> str:
        # Words, not Django's boolean icon: its "unknown" icon reads "None" to a screen reader.
        return {True: _("Given"), False: _("Refused")}.get(obj.sensitive_consent, _("Not asked"))

    @admin.display(description=_("answers"))
    def details(self, obj: Filing) -> str:
        """The answers with the procedure form's own labels and readable values (the identity card's too)."""
        return render_to_string(
            "admin/filings/filing/_answers.html", {"rows": selectors.filing_answer_rows(filing=obj)}
        )

    @admin.display(description=_("what the citizen corrected"))
    def changes(self, obj: Filing) -> str:
        """Every correction, newest first (not only the last): what the officer asked, what changed."""
        corrections = selectors.filing_corrections(filing=obj)
        if not corrections:
            return "—"
        return render_to_string("admin/filings/filing/_corrections.html", {"corrections": corrections})

    @admin.display(description=_("state"), ordering="state")
    def state_shown(self, obj: Filing) -> str:
        """The state; a filing corrected by the citizen and waiting for a new check stands out, with the officer
        who returned it (so they find their own returns)."""
        label = obj.get_state_display()
        if obj.state != FilingState.SUBMITTED or obj.corrected_at is None:
            return label
        returned_by = getattr(obj, "returned_by_name", "") or ""
        return format_html(
            '<strong class="filing-resubmitted">{}</strong><br><small>{}</small>',
            MSG_CORRECTED_FLAG,
            MSG_RETURNED_BY % {"name": returned_by} if returned_by else "",
        )

    # --- Moves ---------------------------------------------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<path:object_id>/state/",
                self.admin_site.admin_view(self.transition_view),
                name="filings_filing_transition",
            ),
            *super().get_urls(),
        ]

    def _moves(self, request, obj: Filing):
        if not self.has_change_permission(request, obj) or not request.user.has_perm("filings.change_filing"):
            return []
        return selectors.filing_moves(filing=obj, actor=OFFICER)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["filing_moves"] = self._moves(request, obj)
            context["filing_move_url"] = reverse(f"{self.admin_site.name}:filings_filing_transition", args=[obj.pk])
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def transition_view(self, request, object_id):
        """One move of the filing: the officer picks among the moves allowed from its state (the reason the
        citizen reads, required where the table says so). Another unit's filing is a 404 (`get_object`)."""
        obj = self.get_object(request, unquote(object_id))
        moves = self._moves(request, obj)
        if not moves and not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = FilingMoveForm(request.POST or None, moves=moves, initial=request.GET.dict())
        if request.method == "POST" and form.is_valid():
            target, reason = form.cleaned_data["target"], form.cleaned_data["reason"]
            try:
                filing_review_move(filing=obj, target=target, user=request.user, reason=reason)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                label = selectors.filing_state_label(filing=obj)
                messages.success(request, MSG_MOVED % {"state": label})
                return HttpResponseRedirect(reverse(f"{self.admin_site.name}:filings_filing_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "form": form,
            "title": gettext("Change the state of %(record)s") % {"record": obj},
            "current_state": selectors.filing_state_label(filing=obj),
            "rows": selectors.filing_answer_rows(filing=obj),
            "corrections": selectors.filing_corrections(filing=obj),
        }
        return TemplateResponse(request, "admin/filings/filing/transition.html", context)

    @admin.display(description=_("visit"), ordering="appointment__slot__starts_at")
    def visit(self, obj: Filing) -> str:
        appointment = obj.appointment
        if appointment is None:
            return "—"
        return f"{appointment.unit.display_name} · {timezone.localtime(appointment.starts_at):%d/%m/%Y %H:%M}"
