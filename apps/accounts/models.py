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

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (`last_name`) first, then the given name: "Nguyễn Văn An"."""
        return " ".join(f"{self.last_name} {self.first_name}".split())

    def __str__(self) -> str:
        return self.get_full_name() or self.get_username()
