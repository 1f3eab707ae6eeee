"""The explicit registry of procedure forms: one form class per procedure slug, defined in code.

    @register("ho-chieu")
    class PassportForm(ProcedureForm): ...

A procedure is bookable through the generic journey (`/thu-tuc/<slug>/`) when its catalogue entry is active and a
form is registered for its slug. Views, templates, booking and notifications know nothing about the forms.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from .base import ProcedureForm

_FORMS: dict[str, type[ProcedureForm]] = {}


def register(slug: str) -> Callable[[type[ProcedureForm]], type[ProcedureForm]]:
    def decorator(form_class: type[ProcedureForm]) -> type[ProcedureForm]:
        if not issubclass(form_class, ProcedureForm):
            raise ImproperlyConfigured(f"{form_class.__name__} must subclass ProcedureForm.")
        if slug in _FORMS and _FORMS[slug] is not form_class:
            raise ImproperlyConfigured(f"A form is already registered for the procedure {slug!r}.")
        form_class.procedure_slug = slug
        _FORMS[slug] = form_class
        return form_class

    return decorator


def unregister(slug: str) -> None:
    """Remove a form (tests that add a procedure clean up with this)."""
    _FORMS.pop(slug, None)


def form_class_for(slug: str) -> type[ProcedureForm] | None:
    return _FORMS.get(slug)


def registered_slugs() -> frozenset[str]:
    return frozenset(_FORMS)
