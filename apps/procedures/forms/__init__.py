"""Procedure forms: the base class, the registry, and the forms of the procedures the portal offers.

Importing this package registers the built-in forms (the app's `ready()` does so at start-up).
"""

from . import foreigner, passport, residence, vehicle  # noqa: F401  (registers the forms)
from .base import ProcedureForm
from .registry import form_class_for, register, registered_slugs, unregister

__all__ = ["ProcedureForm", "form_class_for", "register", "registered_slugs", "unregister"]
