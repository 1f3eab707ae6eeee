"""Reusable ModelAdmin building blocks for officers' pages. Other apps' admin classes use them explicitly::

    @admin.register(Appointment)
    class AppointmentAdmin(UnitScopedAdminMixin, AuditedAdminMixin, ExportAdminMixin, admin.ModelAdmin):
        unit_field = "unit"                       # path from the model to its PoliceUnit
        list_filter = (("unit", ScopedUnitFilter), "status")
        list_display = ("starts_at", "reference", "holder_name", masked("phone", mask_phone, _("phone")))
        export_columns = [(_("Time"), "starts_at"), (_("Code"), "reference"), ...]

* `UnitScopedAdminMixin`: rows, objects (view/change/delete), unit choices in forms, actions and exports are
  limited to the officer's units; another unit's record answers 404 whatever its URL.
* `AuditedAdminMixin`: opening a record's page, adding, changing and deleting are written to the audit log.
* `ExportAdminMixin`: "export to CSV / Excel" actions over the selected rows, recorded in the audit log.
* `SearchAdminMixin`: the one search (`search.py`): code, phone, card number, name without accents.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import label_for_field
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core import paging

from .audit_writes import AuditedWritesMixin
from .models import AuditAction
from .scoping import queryset_scope_to_user, user_can_access_object, user_sees_all_units, user_unit_ids
from .search import SearchFields, search_q
from .services import audit_record

OUT_OF_SCOPE = _("This record belongs to another unit.")


def _is_unit_model(model) -> bool:
    from apps.units.models import PoliceUnit

    return model is PoliceUnit


class ScopedUnitFilter(admin.RelatedFieldListFilter):
    """A unit filter that lists only the units the officer works for (every unit for a district administrator)."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        if user_sees_all_units(request.user):
            return choices
        ids = user_unit_ids(request.user)
        return [(pk, label) for pk, label in choices if pk in ids]


class UnitScopedAdminMixin:
    """Limit a ModelAdmin to the officer's units. Set `unit_field` (a path of forward foreign keys to PoliceUnit,
    or "pk" when the model is PoliceUnit)."""

    unit_field: str = "unit"

    def get_queryset(self, request):
        return queryset_scope_to_user(super().get_queryset(request), user=request.user, unit_field=self.unit_field)

    def _in_scope(self, request, obj) -> bool:
        return obj is None or user_can_access_object(request.user, obj, unit_field=self.unit_field)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Missing and out of scope look the same from outside: a plain 404, not admin's redirect to the
            # index (which would still tell a curious officer nothing, but hides a tampered URL from the logs).
            raise Http404(OUT_OF_SCOPE)
        return obj

    def _scoped_unit_queryset(self, request, queryset):
        if user_sees_all_units(request.user):
            return queryset
        return queryset.filter(pk__in=user_unit_ids(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if _is_unit_model(db_field.related_model) and db_field.name == self.unit_field:
            kwargs["queryset"] = self._scoped_unit_queryset(
                request, kwargs.get("queryset") or db_field.related_model._default_manager.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form offers only the officer's units; this catches any other way of setting one.
        if self.unit_field != "pk" and not self._in_scope(request, obj):
            raise PermissionDenied(OUT_OF_SCOPE)
        super().save_model(request, obj, form, change)


SEARCH_HELP = _(
    "Code (with or without dashes, or a part of it), phone (0…, +84…), card number, "
    "or any part of the name without accents (e.g. hong nhung)."
)


class FastRowLinksChangeList(ChangeList):
    """A list whose rows link to their page with the list's filters and search kept (`_changelist_filters`), as
    Django's do, written once per page. Django adds them to each row's link through `add_preserved_filters`, which
    resolves the row's URL against every URL of the site to see whether it is the list itself (it never is): on a
    searched or filtered page of 100 rows that was a third of the rows' rendering (profiled at 1,000,000 rows)."""

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.row_link_query = ""
        if self.preserved_filters:
            # "_changelist_filters=<the list's query>", which Django would add to each row's URL; the rows get it
            # from `url_for_result`, and Django's per-row step finds nothing left to do.
            self.row_link_query, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_link_query}" if self.row_link_query else url


class FastActionCheckboxMixin:
    """Lists of big tables: each row's action checkbox written directly, the same HTML as Django's, which renders a
    form widget through the template engine once per row (a fifth of a 100-row list's time, profiled at 1,000,000
    rows); and the rows' links with the list's filters written once per page (`FastRowLinksChangeList`)."""

    def get_changelist(self, request, **kwargs):
        return FastRowLinksChangeList

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class SearchAdminMixin:
    """The list's search box through `search.search_q`: set `search_spec = SearchFields(code=..., name=...)`.

    `search_fields` only has to be non-empty for admin to show the box; what a term means is decided here."""

    search_spec: SearchFields = SearchFields()
    search_help_text = SEARCH_HELP

    def get_search_fields(self, request):
        return super().get_search_fields(request) or ("pk",)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(search_q(term=search_term, fields=self.search_spec)), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """A page of search results is counted exactly up to SEARCH_COUNT_EXACT_UP_TO matches, estimated above
        (see apps.core.paging): a name's matches are confirmed row by row from the table."""
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if isinstance(paginator, paging.EstimatedCountPaginator) and request.GET.get(SEARCH_VAR, "").strip():
            paginator.exact_up_to = paging.SEARCH_COUNT_EXACT_UP_TO
            # The page's ids first, then its rows (see EstimatedCountPaginator.ids_first).
            paginator.ids_first = True
        return paginator


_DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission) -> str:
    """A permission as officers read it in Vietnamese: Django stores the names in English ("Can add report"), so
    the default ones are rebuilt from the model's translated name and the others translated from their source."""
    content_type = permission.content_type
    model = content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in _DEFAULT_PERMISSIONS and model_name == content_type.model:
        name = gettext(_DEFAULT_PERMISSIONS[action]) % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{content_type} | {name}"


class PermissionLabelsAdminMixin:
    """Groups' and officers' permission pickers in Vietnamese (see `permission_label`)."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class AuditedAdminMixin(AuditedWritesMixin):
    """Also write to the audit log every opening of a record's page (the writes: AuditedWritesMixin)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add and request.method == "GET":
            audit_record(user=request.user, action=AuditAction.VIEW, obj=obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


Column = tuple[str, str | Callable[[Model], object]]


class ExportAdminMixin:
    """ "Export to CSV / Excel" actions over the selected rows, or over every row matching the list's filters and
    search when "select all" was used (of the officer's units only, through get_queryset). The export runs in
    the background (`apps.exports`); the officer is taken to their exports page, with progress and the file.

    `export_columns`: (header, field name or callable) pairs; by default the list_display columns. Callables read
    only what `export_select_related` (default: list_select_related) joins, so the export's query count does not
    grow with its rows.
    """

    export_columns: list[Column] | None = None
    export_select_related: tuple[str, ...] | None = None
    export_filename = "export"

    def get_export_columns(self, request) -> list[Column]:
        if self.export_columns is not None:
            return list(self.export_columns)
        names = [n for n in self.get_list_display(request) if n != "action_checkbox"]
        return [(force_str(label_for_field(n, self.model, self)), n) for n in names]

    def get_export_queryset(self, request):
        """The admin list's rows for `request` (filters, search, unit scope, ordering), joined for the columns."""
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        related = self.export_select_related if self.export_select_related is not None else self.list_select_related
        if related is True:
            queryset = queryset.select_related()
        elif related:
            queryset = queryset.select_related(*related)
        return queryset

    def _export_request(self, request, queryset, fmt: str):
        from django.contrib.admin import helpers

        from apps.exports.services import export_job_request

        everything = request.POST.get("select_across") == "1"
        selected = None if everything else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        export_job_request(
            user=request.user,
            model_admin=self,
            query_string=request.GET.urlencode(),
            selected_ids=selected,
            fmt=fmt,
            language=getattr(request, "LANGUAGE_CODE", "vi"),
        )
        scope = (
            gettext("every matching row")
            if everything
            else gettext("%(count)s selected rows") % {"count": len(selected or [])}
        )
        audit_record(
            user=request.user,
            action=AuditAction.EXPORT,
            model=self.model,
            detail=gettext("%(format)s, %(scope)s, filters: %(filters)s")
            % {"format": fmt.upper(), "scope": scope, "filters": request.GET.urlencode() or "—"},
        )
        self.message_user(
            request,
            gettext("The export is being prepared. It appears in this list when it is ready to download."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:exports_exportjob_changelist"))

    @admin.action(description=_("Export the selected rows to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export_request(request, queryset, "csv")

    @admin.action(description=_("Export the selected rows to Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export_request(request, queryset, "xlsx")

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in ("export_csv", "export_xlsx"):
            if name not in actions and self.has_view_permission(request):
                actions[name] = self.get_action(name)
        return actions


def masked(field: str, mask: Callable[[object], str], description) -> Callable:
    """A list_display column showing `field` through `mask`: `masked("id_number", mask_id_number, _("card"))`."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return mask(getattr(obj, field))

    column.__name__ = f"{field}_masked"
    return column
