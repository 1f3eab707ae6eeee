"""Writes of the back office: audit records, roles, state transitions."""

from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditLogEntry, StateTransition
from .roles import ROLES
from .scoping import object_unit_id, user_can_access_object
from .workflow import Workflow

INVALID_TRANSITION = _("This record cannot go from “%(source)s” to “%(target)s”.")
REASON_REQUIRED = _("Give the reason: the citizen will read it.")
NOT_ALLOWED = _("You may not make this change.")
RECORD_OF_OTHER_UNIT = _("This record belongs to another unit.")


def _unit_field_of(obj: models.Model) -> str | None:
    """The path to the unit for the models the back office knows; None when the record has no unit."""
    from apps.units.models import PoliceUnit

    if isinstance(obj, PoliceUnit):
        return "pk"
    for name in ("unit", "appointment__unit"):
        try:
            head = name.split("__")[0]
            obj._meta.get_field(head)
        except Exception:  # noqa: S112 - FieldDoesNotExist: try the next path
            continue
        return name
    return None


def audit_record(
    *,
    user,
    action: str,
    obj: models.Model | None = None,
    detail: str = "",
    model: type[models.Model] | None = None,
    unit_id: int | None = None,
) -> AuditLogEntry:
    """Record that `user` did `action` (an AuditAction) on `obj` (or on a kind of record, `model`, for exports)."""
    content_type = None
    object_id = object_repr = ""
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        object_id = str(obj.pk)
        object_repr = str(obj)[:200]
        if unit_id is None:
            unit_field = _unit_field_of(obj)
            unit_id = object_unit_id(obj, unit_field=unit_field) if unit_field else None
    elif model is not None:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    authenticated = user is not None and user.is_authenticated
    entry = AuditLogEntry(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=AuditAction(action),
        content_type=content_type,
        object_id=object_id,
        object_repr=object_repr,
        unit_id=unit_id,
        detail=detail,
    )
    entry.full_clean()
    entry.save()
    return entry


def _permissions_matching(patterns: list[str]) -> list[Permission]:
    by_app: dict[str, list[str]] = {}
    for pattern in patterns:
        app_label, _dot, codename = pattern.partition(".")
        by_app.setdefault(app_label, []).append(codename)
    found = []
    for perm in Permission.objects.filter(content_type__app_label__in=by_app).select_related("content_type"):
        if any(fnmatchcase(perm.codename, c) for c in by_app[perm.content_type.app_label]):
            found.append(perm)
    return found


def roles_setup() -> dict[str, int]:
    """Create or update the officers' groups with exactly the permissions `roles.ROLES` gives them.

    Idempotent. Returns the number of permissions of each group.
    """
    result = {}
    with transaction.atomic():
        for name, role in ROLES.items():
            group, _created = Group.objects.get_or_create(name=name)
            permissions = _permissions_matching(role["permissions"])
            group.permissions.set(permissions)
            result[name] = len(permissions)
    return result


def state_transition_apply(
    *, workflow: Workflow, obj: models.Model, target: str, user, reason: str = ""
) -> StateTransition:
    """Move `obj` to state `target` if the workflow allows it from its current state; record who, when, why.

    The row is locked while it changes, so two officers acting at once cannot both move it from the same state.
    """
    reason = (reason or "").strip()
    model = type(obj)
    opts = model._meta
    if not user_can_access_object(user, obj, unit_field=workflow.unit_field):
        raise PermissionDenied(RECORD_OF_OTHER_UNIT)
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        raise PermissionDenied(NOT_ALLOWED)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        source = workflow.state_of(locked)
        transition = workflow.find(source=source, target=target)
        if transition is None:
            raise ValidationError(
                INVALID_TRANSITION,
                code="invalid_transition",
                params={
                    "source": _state_label(locked, workflow, source),
                    "target": _state_label(locked, workflow, target),
                },
            )
        if transition.permission and not user.has_perm(transition.permission):
            raise PermissionDenied(NOT_ALLOWED)
        if transition.reason_required and not reason:
            raise ValidationError({"reason": ValidationError(REASON_REQUIRED, code="reason_required")})
        setattr(locked, workflow.state_field, target)
        fields = [workflow.state_field]
        if workflow.on_apply:
            fields += list(workflow.on_apply(obj=locked, transition=transition, user=user) or [])
        locked.save(update_fields=fields)
        record = StateTransition(
            user=user,
            username=user.get_username(),
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id=str(locked.pk),
            object_repr=str(locked)[:200],
            unit_id=object_unit_id(locked, unit_field=workflow.unit_field),
            source=source,
            target=target,
            reason=reason,
        )
        record.full_clean()
        record.save()
        audit_record(
            user=user,
            action=AuditAction.TRANSITION,
            obj=locked,
            detail=f"{source} → {target}" + (f": {reason}" if reason else ""),
            unit_id=record.unit_id,
        )
        if transition.notify and workflow.notify:
            workflow.notify(obj=locked, transition=transition, reason=reason)
    # The caller's instance reflects the change too.
    for name in fields:
        setattr(obj, name, getattr(locked, name))
    return record


def _state_label(obj: models.Model, workflow: Workflow, state: str) -> str:
    field = obj._meta.get_field(workflow.state_field)
    return str(dict(field.flatchoices).get(state, state)) if field.choices else state
