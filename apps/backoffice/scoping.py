"""Which units' records an officer may see. One place decides it, for admin pages, exports and the counter.

An officer sees the records of the units in `User.units`; a district administrator (permission
`backoffice.access_all_units`, given by the role) or a superuser sees every unit's records.
"""

from django.db.models import Model, QuerySet

ACCESS_ALL_UNITS = "backoffice.access_all_units"


def user_sees_all_units(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(ACCESS_ALL_UNITS)))


def user_unit_ids(user) -> frozenset[int]:
    """The ids of the officer's units, read once per user object (a request keeps one user object)."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_backoffice_unit_ids", None)
    if cached is None:
        cached = frozenset(user.units.values_list("pk", flat=True))
        user._backoffice_unit_ids = cached
    return cached


def queryset_scope_to_user(queryset: QuerySet, *, user, unit_field: str) -> QuerySet:
    """Keep only the rows of `queryset` whose unit (reached by the lookup path `unit_field`) is the officer's.

    `unit_field` is a path of forward foreign keys from the model to a PoliceUnit: "unit",
    "appointment__unit", or "pk" for PoliceUnit itself (forward keys only, so rows are never duplicated).
    """
    if user_sees_all_units(user):
        return queryset
    ids = user_unit_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{unit_field}__in": ids})


def object_unit_id(obj: Model, *, unit_field: str) -> int | None:
    """The id of the unit an object belongs to, following `unit_field` without extra queries where possible."""
    if unit_field == "pk":
        return obj.pk
    *path, last = unit_field.split("__")
    target = obj
    for name in path:
        target = getattr(target, name, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def user_can_access_object(user, obj: Model, *, unit_field: str) -> bool:
    if user_sees_all_units(user):
        return True
    unit_id = object_unit_id(obj, unit_field=unit_field)
    return unit_id is not None and unit_id in user_unit_ids(user)
