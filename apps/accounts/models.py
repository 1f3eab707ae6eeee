from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An officer (or a technical administrator). Citizens have no accounts."""

    units = models.ManyToManyField(
        "units.PoliceUnit",
        blank=True,
        related_name="officers",
        verbose_name=_("units"),
        help_text=_("The units this officer works for; it limits what the officer sees in the back office."),
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
