from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CITY = "city", _("City police")
    DISTRICT = "district", _("District police")
    WARD = "ward", _("Ward police station")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class PoliceUnit(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind)
    name = models.CharField(_("name"), max_length=200, help_text=_("Official Vietnamese name."))
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    address = models.CharField(_("address"), max_length=300)
    address_en = models.CharField(
        _("address in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the English pages; leave empty to show the Vietnamese address."),
    )
    ward_code = models.CharField(
        _("administrative ward code"),
        max_length=10,
        blank=True,
        help_text=_(
            "Code of the ward (phường/xã) this station serves, from the national list of administrative units."
        ),
    )
    area_served = models.CharField(
        _("area served"),
        max_length=300,
        blank=True,
        help_text=_("Streets or former wards this unit covers, as citizens know them."),
    )
    area_served_en = models.CharField(
        _("area served in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the English pages; leave empty to show the Vietnamese text."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    map_url = models.URLField(_("map link"), blank=True)
    receives_id_applications = models.BooleanField(
        _("receives identity-card applications"),
        default=False,
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ("order", "name")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="ward") | models.Q(parent__isnull=False),
                name="units_ward_has_parent",
                violation_error_message=_("A ward station belongs to a district unit."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_address(self) -> str:
        if translation.get_language() == "en" and self.address_en:
            return self.address_en
        return self.address

    @property
    def display_area_served(self) -> str:
        if translation.get_language() == "en" and self.area_served_en:
            return self.area_served_en
        return self.area_served


class UnitPhone(models.Model):
    unit = models.ForeignKey(PoliceUnit, on_delete=models.CASCADE, related_name="phones", verbose_name=_("unit"))
    label = models.CharField(_("label"), max_length=100, blank=True, help_text=_("E.g. Duty desk, Reception."))
    label_en = models.CharField(
        _("label in English"),
        max_length=100,
        blank=True,
        help_text=_("Shown on the English pages; leave empty to show the Vietnamese label."),
    )
    number = models.CharField(
        _("number"),
        max_length=20,
        help_text=_("As dialled in Vietnam, e.g. 028 3940 0123 or 113."),
    )
    is_hotline = models.BooleanField(_("hotline"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return f"{self.label}: {self.number}" if self.label else self.number

    @property
    def display_label(self) -> str:
        if translation.get_language() == "en" and self.label_en:
            return self.label_en
        return self.label

    @property
    def tel_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


class OpeningHours(models.Model):
    """One opening period of a unit on a weekday. Two rows on one day are a morning and an afternoon session."""

    unit = models.ForeignKey(PoliceUnit, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("unit"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ("weekday", "opens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="units_opening_hours_closes_after_opens",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
            models.UniqueConstraint(fields=("unit", "weekday", "opens"), name="units_opening_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"
