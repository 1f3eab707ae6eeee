"""Every write made in the back office lands in the audit log with a before/after summary, whichever admin
class made it: `AuditedWritesMixin` is put in front of every registered ModelAdmin (`audit_every_admin`, run
when the back office starts), so a model registered tomorrow is audited too.

What is recorded: additions, changes (fields and many-to-many, e.g. an officer's roles) and deletions through
the change form, and each row that an admin action changed or deleted (cancel, resend…). Secrets (passwords,
authenticator keys, sealed tokens, hashes) never enter the summary, only the fact that they changed.
"""

from django.db import models
from django.utils.translation import gettext

from .models import AuditAction
from .services import audit_record

SECRET_FIELDS = {"password", "key", "code_hash", "sealed_context", "search_text", "name_search"}
MAX_VALUE = 80
MAX_DETAIL = 4000
# Actions whose rows the admin already logs (log_deletions) or that only read (exports are audited as such).
# An action whose service writes the audit log itself (bulk cancel) is marked `action.audited_by_service = True`.
UNAUDITED_ACTIONS = {"delete_selected", "export_csv", "export_xlsx"}


def _is_secret(name: str) -> bool:
    return name in SECRET_FIELDS or name.endswith(("_sealed", "_hash", "_token"))


def record_summary(obj) -> dict[str, str]:
    """Field name → short text of the value, for every concrete field and many-to-many of `obj`."""
    if obj is None:
        return {}
    summary: dict[str, str] = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.AutoField) or getattr(field, "auto_now", False):
            continue  # the row's id is the record itself; "updated at" is the audit entry's own time
        if field.generated:
            continue  # computed by the database from another field (e.g. `name_key` from the name)
        value = getattr(obj, field.attname)
        summary[field.name] = "•••" if _is_secret(field.name) and value else _short(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            summary[field.name] = ", ".join(sorted(str(o) for o in getattr(obj, field.name).all()))
    return summary


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def summary_diff(before: dict[str, str], after: dict[str, str]) -> str:
    """ "field: old → new" for each field whose value differs (all fields for an addition or a deletion)."""
    parts = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            parts.append(f"{name}: {old or '∅'} → {new or '∅'}")
    return "; ".join(parts)[:MAX_DETAIL]


class AuditedWritesMixin:
    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            current = type(obj)._default_manager.filter(pk=obj.pk).first()
            request._audit_before = (type(obj), obj.pk, record_summary(current))
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        audit_record(user=request.user, action=AuditAction.ADD, obj=obj, detail=summary_diff({}, record_summary(obj)))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        model, pk, before = getattr(request, "_audit_before", (None, None, {}))
        if model is not type(obj) or pk != obj.pk:
            before = {}
        detail = summary_diff(before, record_summary(obj)) if before else ""
        audit_record(
            user=request.user, action=AuditAction.CHANGE, obj=obj, detail=detail or gettext("no field changed")
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(
                user=request.user, action=AuditAction.DELETE, obj=obj, detail=summary_diff(record_summary(obj), {})
            )
        return super().log_deletions(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (
                action
                if name in UNAUDITED_ACTIONS or getattr(action, "audited_by_service", False)
                else _audited_action(action),
                name,
                description,
            )
            for name, (action, name, description) in actions.items()
        }


def _audited_action(action):
    def audited(modeladmin, request, queryset):
        model = queryset.model
        rows = list(queryset)
        before = {row.pk: record_summary(row) for row in rows}
        response = action(modeladmin, request, queryset)
        after = {row.pk: row for row in model._default_manager.filter(pk__in=list(before))}
        name = getattr(action, "__name__", "action")
        for row in rows:
            if row.pk not in after:
                detail = summary_diff(before[row.pk], {})
                audit_record(user=request.user, action=AuditAction.DELETE, obj=row, detail=f"{name}: {detail}")
                continue
            detail = summary_diff(before[row.pk], record_summary(after[row.pk]))
            if detail:
                audit_record(
                    user=request.user, action=AuditAction.CHANGE, obj=after[row.pk], detail=f"{name}: {detail}"
                )
        return response

    audited.__name__ = getattr(action, "__name__", "action")
    audited.short_description = getattr(action, "short_description", None)
    return audited


def audit_every_admin(site) -> None:
    """Put AuditedWritesMixin in front of every registered ModelAdmin that does not have it yet."""
    for model_admin in site._registry.values():
        if not isinstance(model_admin, AuditedWritesMixin):
            cls = type(model_admin)
            model_admin.__class__ = type(cls.__name__, (AuditedWritesMixin, cls), {"__module__": cls.__module__})
