"""The cached catalogue (selectors.procedure_cached) is forgotten whenever an officer changes a procedure."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Procedure
from .selectors import procedure_cache_clear


@receiver(post_save, sender=Procedure, dispatch_uid="procedures-catalogue-saved")
@receiver(post_delete, sender=Procedure, dispatch_uid="procedures-catalogue-deleted")
def procedure_changed(sender, **kwargs) -> None:
    procedure_cache_clear()


@receiver(m2m_changed, sender=Procedure.units.through, dispatch_uid="procedures-catalogue-units")
def procedure_units_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        procedure_cache_clear()
