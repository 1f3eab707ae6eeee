"""A change to the fee schedule (admin, shell, migration) drops the cached copy of that procedure's schedule."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import FeeReduction, FeeRule
from .selectors import fee_schedule_forget


@receiver([post_save, post_delete], sender=FeeRule)
@receiver([post_save, post_delete], sender=FeeReduction)
def _schedule_changed(sender, instance, **kwargs) -> None:
    fee_schedule_forget(procedure=instance.procedure_slug)
