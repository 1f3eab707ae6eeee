"""The fee schedule as data: what a procedure costs for a reason on a given day, and the reductions in force.

Officers edit it in admin when a circular changes a fee or ends a reduction; nothing in code knows a date. A fee is
keyed by the procedure's slug (the catalogue entry, e.g. ``cap-cccd``) and the filing's reason, so the schedule does
not depend on how filings are stored.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MSG_ENDS_BEFORE_START = _("The last day cannot be before the first day.")
MSG_AGES_CROSSED = _("The lower age must be below the upper age.")


class Period(models.Model):
    """A validity period, both ends included; no last day = in force until replaced."""

    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True, help_text=_("Empty: until replaced."))
    basis = models.CharField(_("legal basis (shown to citizens)"), max_length=300)
    basis_en = models.CharField(_("legal basis in English"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": MSG_ENDS_BEFORE_START})

    @property
    def display_basis(self) -> str:
        if (get_language() or "").startswith("en") and self.basis_en:
            return self.basis_en
        return self.basis


class FeeRule(Period):
    """The fee for one reason of one procedure. When two rules cover a day, the one that starts later wins (a new
    circular is added as a new rule, the old one keeps its history)."""

    procedure_slug = models.SlugField(_("procedure"), max_length=60, help_text=_("The catalogue's short address."))
    reason = models.CharField(
        _("reason"), max_length=40, blank=True, help_text=_("The filing's reason code; empty: every reason.")
    )
    amount = models.PositiveIntegerField(_("amount (VND)"), help_text=_("0 = free."))

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ("procedure_slug", "reason", "-starts_on")
        indexes = [models.Index(fields=("procedure_slug", "reason", "starts_on"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="fees_rule_period_ordered"
            ),
            models.UniqueConstraint(fields=("procedure_slug", "reason", "starts_on"), name="fees_rule_one_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_slug} {self.reason or '*'} {self.amount:,} ({self.starts_on:%d/%m/%Y})"


class FeeReduction(Period):
    """A share of the fee waived, for everyone or for an age band (age on the day of the visit). When several
    apply, the largest wins: a 100 % exemption for children beats a 50 % reduction for all."""

    procedure_slug = models.SlugField(_("procedure"), max_length=60, help_text=_("The catalogue's short address."))
    percent = models.PositiveSmallIntegerField(_("reduction (%)"), help_text=_("100 = exempt."))
    min_age = models.PositiveSmallIntegerField(
        _("from age"), null=True, blank=True, help_text=_("Applies from this age on (empty: any).")
    )
    below_age = models.PositiveSmallIntegerField(
        _("under age"), null=True, blank=True, help_text=_("Applies below this age (empty: any).")
    )

    class Meta:
        verbose_name = _("fee reduction or exemption")
        verbose_name_plural = _("fee reductions and exemptions")
        ordering = ("procedure_slug", "-starts_on", "-percent")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="fees_reduction_period_ordered",
            ),
            models.CheckConstraint(condition=Q(percent__gte=1, percent__lte=100), name="fees_reduction_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_slug} −{self.percent} % ({self.starts_on:%d/%m/%Y})"

    def clean(self) -> None:
        super().clean()
        if self.min_age is not None and self.below_age is not None and self.min_age >= self.below_age:
            raise ValidationError({"below_age": MSG_AGES_CROSSED})
