"""The citizen's slot picker, a form any journey includes (see docs/ARCHITECTURE.md, "The slot picker").

Steps work without JavaScript: the unit and the day are chosen with plain links (GET parameters `unit`, `day`,
prefixed when the form has a prefix), the time with a POSTed radio list (`slot`). The journey's view validates the
POST with this form and calls `appointment_hold(unit=cleaned_data["unit"], starts_at=cleaned_data["starts_at"])`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core.prepared import PreparedRead
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit
from apps.units.selectors import HoursLine, opening_hours_lines, unit_opening_hours_rows

from .selectors import (
    ClosedBecause,
    DayAvailability,
    SlotOption,
    appointment_get_active_hold,
    availability_cache_seconds,
    availability_cache_usable,
    availability_snapshot_get,
    availability_valid_until,
    availability_version,
    slot_list_available,
    unit_list_for_procedure,
)

CHOOSE_TIME = _("Choose a time.")
INVALID_TIME = _("This time is not one of those offered. Please choose again.")
MORNING = _("Morning")
AFTERNOON = _("Afternoon")
PICKER_ANCHOR = "slot-picker"
# Query parameter of the picker's address after a refused time (the journeys redirect after every POST): the time
# refused, near which the free alternatives are offered.
NEAR_PARAM = "gan"
# Stands for the CSRF token in cached picker HTML (replaced by the request's own token on every render).
CSRF_PLACEHOLDER = "@@slot-picker-csrf@@"
# Stands for the caller's own hidden fields (`hidden=`, e.g. a draft's version) in cached picker HTML.
HIDDEN_PLACEHOLDER = "@@slot-picker-hidden@@"


# The unit list's reads, one per way of narrowing the units (SlotPickerForm._units_query).
_UNITS_READS: dict[str, PreparedRead] = {}


@dataclass(frozen=True)
class UnitChoice:
    unit: PoliceUnit
    hours: list[HoursLine]
    url: str
    selected: bool


@dataclass(frozen=True)
class DayChoice:
    availability: DayAvailability
    url: str
    selected: bool


def _with_csrf(html: str, csrf_token, hidden_html: str = "") -> str:
    """Cached picker HTML with the request's CSRF field in place of the placeholder's (the token is only asked
    for when the fragment has a form, as the {% csrf_token %} tag would), and the caller's hidden fields."""
    placeholder = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'
    if placeholder in html:
        token = str(csrf_token)
        field = "" if token == "NOTPROVIDED" else format_html(placeholder.replace(CSRF_PLACEHOLDER, "{}"), token)  # noqa: S105
        html = html.replace(placeholder, field)
    html = html.replace(HIDDEN_PLACEHOLDER, hidden_html)
    return mark_safe(html)  # noqa: S308 (rendered by the template engine; the token and fields are escaped)


class SlotPickerForm(forms.Form):
    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    day = forms.CharField(required=False, widget=forms.HiddenInput)
    slot = forms.CharField(label=_("Time"), required=False)

    def __init__(
        self,
        data=None,
        *,
        procedure: Procedure,
        unit_qs: QuerySet[PoliceUnit] | None = None,
        query=None,
        action: str = "",
        days_shown: int | None = None,
        holder_key: str = "",
        now: datetime | None = None,
        hidden: dict[str, str] | None = None,
        **kwargs,
    ):
        """`data`: the POST of the time step (None on GET). `query`: request.GET, which carries the unit and day
        steps. `unit_qs` narrows the units offered (default: every active unit handling `procedure` online).
        `holder_key` (the citizen's session key): their own live hold is shown as chosen, not as taken.
        `hidden`: fields the time's form posts back as they are (a journey's draft version, issue 12.11)."""
        super().__init__(data, **kwargs)
        self.procedure = procedure
        self.unit_qs = unit_qs
        self.query = query if query is not None else {}
        self.action = action
        self.days_shown = days_shown
        self.holder_key = holder_key
        self.hidden = hidden or {}
        self.now = now or timezone.now()
        self.alternatives: list[SlotOption] = []

    # --- Navigation state (links) ---------------------------------------------------------------------------
    def _state(self, name: str) -> str:
        key = self.add_prefix(name)
        source = self.data if self.is_bound else self.query
        return (source.get(key) or "").strip()

    def _url(self, **values: str) -> str:
        params = {
            k: v for k, v in self.query.items() if k not in {self.add_prefix(n) for n in ("unit", "day", NEAR_PARAM)}
        }
        params.update({self.add_prefix(k): v for k, v in values.items() if v})
        return f"?{urlencode(params)}#{PICKER_ANCHOR}" if params else f"?#{PICKER_ANCHOR}"

    def _units_query(self) -> list[PoliceUnit]:
        # Compiled once per process for each way of narrowing the units (apps.core.prepared): the queryset's
        # filters (the fingerprint) fix its SQL, only the procedure varies.
        fingerprint = self._units_fingerprint()
        read = _UNITS_READS.get(fingerprint)
        if read is None:
            unit_qs = self.unit_qs
            read = _UNITS_READS[fingerprint] = PreparedRead(
                lambda procedure: unit_list_for_procedure(procedure=procedure, unit_qs=unit_qs).order_by(
                    "order", "name"
                ),
                procedure=int,
            )
        return read(procedure=self.procedure.pk)

    def _units_fingerprint(self) -> str:
        """Tells apart callers narrowing the units differently: the narrowing queryset's filters (their repr, which
        names columns and values; cheaper than compiling the SQL on every request)."""
        if self.unit_qs is None:
            return ""
        narrowing = f"{self.unit_qs.model._meta.label}:{self.unit_qs.query.where}"
        return hashlib.sha256(narrowing.encode()).hexdigest()[:32]

    @cached_property
    def units(self) -> list[PoliceUnit]:
        # Cached with the availability (same version key: unit, schedule and procedure changes bump it); the key
        # tells apart callers narrowing the units differently.
        if not availability_cache_usable():
            return self._units_query()
        key = f"appointments:picker-units:{availability_version()}:{self.procedure.pk}:{self._units_fingerprint()}"
        units = cache.get(key)
        if units is None:
            units = self._units_query()
            cache.set(key, units, availability_cache_seconds())
        return units

    @cached_property
    def selected_unit(self) -> PoliceUnit | None:
        slug = self._state("unit")
        found = next((u for u in self.units if u.slug == slug), None)
        if found is None and len(self.units) == 1:
            return self.units[0]
        return found

    @cached_property
    def unit_choices(self) -> list[UnitChoice]:
        selected = self.selected_unit
        # Opening hours are only shown on the unit step: loaded here, not with every use of the unit list.
        hours = unit_opening_hours_rows()
        return [
            UnitChoice(
                unit=u,
                hours=opening_hours_lines(hours.get(u.pk, ())),
                url=self._url(unit=u.slug),
                selected=selected is not None and u.pk == selected.pk,
            )
            for u in self.units
        ]

    @cached_property
    def _availability(self) -> dict:
        """The selected unit's availability at `now`, read once for both the days shown and how long they hold."""
        return availability_snapshot_get(unit=self.selected_unit, procedure=self.procedure, now=self.now)

    @cached_property
    def days(self) -> list[DayAvailability]:
        unit = self.selected_unit
        if unit is None:
            return []
        today = timezone.localdate(self.now)
        end = today + timedelta(days=self.days_shown or 180)
        days = slot_list_available(
            unit=unit,
            procedure=self.procedure,
            start=today,
            end=end,
            now=self.now,
            holder_key=self.holder_key,
            snapshot=self._availability,
        )
        # Weekdays the unit never opens would only lengthen the list on a small screen.
        return [d for d in days if d.closed_because not in (ClosedBecause.NOT_OPEN, ClosedBecause.TOO_LATE)]

    @cached_property
    def selected_day(self) -> DayAvailability | None:
        try:
            wanted = date.fromisoformat(self._state("day"))
        except ValueError:
            return None
        return next((d for d in self.days if d.day == wanted), None)

    @cached_property
    def day_choices(self) -> list[DayChoice]:
        unit, selected = self.selected_unit, self.selected_day
        return [
            DayChoice(
                availability=d,
                url=self._url(unit=unit.slug, day=d.day.isoformat()),
                selected=selected is not None and d.day == selected.day,
            )
            for d in self.days
        ]

    @property
    def day_list_html(self) -> str:
        """The day step's list items, built in Python: a unit's horizon is up to ~150 days, and rendering each
        through template tags (date filter, plural block) was most of the page's time."""
        unit = self.selected_unit
        if unit is None:
            return ""
        params = {k: v for k, v in self.query.items() if k not in {self.add_prefix(n) for n in ("unit", "day")}}
        params[self.add_prefix("unit")] = unit.slug
        url_prefix = escape(f"?{urlencode(params)}&{urlencode({self.add_prefix('day'): ''})}")
        weekdays = {}
        places_left: dict[int, str] = {}
        full, closed = escape(gettext("Full")), escape(gettext("Closed"))
        items = []
        for d in self.days:
            weekday = weekdays.get(d.day.weekday())
            if weekday is None:
                weekday = weekdays[d.day.weekday()] = escape(str(WEEKDAYS[d.day.weekday()]))
            label = f"<span>{weekday}, {d.day:%d/%m/%Y}</span>"
            if d.is_open:
                free = d.free
                places = places_left.get(free)
                if places is None:
                    text = ngettext("%(places)s place left", "%(places)s places left", free) % {"places": free}
                    places = places_left[free] = escape(text)
                items.append(
                    f'<li><a class="btn btn-outline-primary w-100 d-flex justify-content-between text-start" '
                    f'href="{url_prefix}{d.day.isoformat()}#{PICKER_ANCHOR}">{label}<span>{places}</span></a></li>'
                )
            else:
                state = full if d.is_full else f"{closed}: {escape(d.reason)}"
                items.append(
                    '<li><span class="btn btn-light w-100 d-flex justify-content-between text-start disabled" '
                    f'aria-disabled="true">{label}<span>{state}</span></span></li>'
                )
        return mark_safe("\n".join(items))  # noqa: S308 (every value above is escaped)

    @property
    def time_groups(self) -> list[tuple[str, list[SlotOption]]]:
        """The chosen day's times in a morning and an afternoon group (sessions as the unit's hours have them)."""
        day = self.selected_day
        if day is None:
            return []
        morning = [s for s in day.slots if s.local_start.hour < 12]
        afternoon = [s for s in day.slots if s.local_start.hour >= 12]
        return [(str(label), slots) for label, slots in ((MORNING, morning), (AFTERNOON, afternoon)) if slots]

    @property
    def time_groups_html(self) -> str:
        """The time step's radio buttons (morning and afternoon groups), built in Python like the day list."""
        name = escape(self.add_prefix("slot"))
        chosen = self.chosen_value
        full = escape(gettext("Full"))
        parts = []
        for label, slots in self.time_groups:
            parts.append(f'<p class="small text-body-secondary mb-1">{escape(label)}</p>')
            parts.append('<div class="row row-cols-3 g-2 mb-3">')
            for slot in slots:
                local = slot.local_start
                stamp = f"{local:%Y%m%d%H%M}"
                value = f"{slot.unit.pk}@{stamp}"
                html_id = f"slot-{slot.unit.pk}-{stamp}"
                if slot.is_full:
                    state, style, hidden = (
                        " disabled",
                        "btn-light text-decoration-line-through",
                        (f'<span class="visually-hidden">{full}</span>'),
                    )
                else:
                    state, style, hidden = (" checked" if value == chosen else ""), "btn-outline-primary", ""
                parts.append(
                    f'<div class="col"><input class="btn-check" type="radio" name="{name}" id="{html_id}" '
                    f'value="{value}"{state}><label class="btn {style} w-100" for="{html_id}">'
                    f"{local:%H:%M}{hidden}</label></div>"
                )
            parts.append("</div>")
        return mark_safe("\n".join(parts))  # noqa: S308 (every value above is escaped or generated here)

    @property
    def step(self) -> str:
        if self.selected_unit is None:
            return "unit"
        if self.selected_day is None or not self.selected_day.slots:
            return "day"
        return "time"

    @property
    def has_other_units(self) -> bool:
        return len(self.units) > 1

    @property
    def change_unit_url(self) -> str:
        return self._url()

    @property
    def change_day_url(self) -> str:
        return self._url(unit=self.selected_unit.slug) if self.selected_unit else self._url()

    @property
    def hold_minutes(self) -> int:
        return settings.APPOINTMENT_HOLD_MINUTES

    @cached_property
    def current_hold(self):
        """The citizen's live hold for the procedure (with `holder_key`), or None."""
        if not self.holder_key:
            return None
        return appointment_get_active_hold(holder_key=self.holder_key, procedure=self.procedure, now=self.now)

    @property
    def chosen_value(self) -> str:
        chosen = self._state("slot")
        if not chosen and self.current_hold is not None:
            hold = self.current_hold
            return f"{hold.unit_id}@{timezone.localtime(hold.slot.starts_at):%Y%m%d%H%M}"
        return chosen

    # --- Rendering ----------------------------------------------------------------------------------------------
    @property
    def hidden_html(self) -> str:
        return format_html_join(
            "", '<input type="hidden" name="{}" value="{}">', ((name, value) for name, value in self.hidden.items())
        )

    def render_picker(self, *, csrf_token=None) -> str:
        """The picker fragment. A GET view of it (no POST, no errors, no citizen's own hold to show) is the same for
        every citizen until the availability changes: it is cached under the availability version, for as long as
        no counted hold expires and no offered time passes into the lead time. The CSRF token is put in afterwards.
        """
        key = self._render_cache_key() if csrf_token is not None else None
        if key is not None:
            cached = cache.get(key)
            if cached is not None and cached["computed_at"] <= self.now < cached["valid_until"]:
                return _with_csrf(cached["html"], csrf_token, self.hidden_html)
        html = render_to_string(
            "appointments/_slot_picker_body.html",
            {
                "picker": self,
                "csrf_token": CSRF_PLACEHOLDER if key is not None else csrf_token,
                "hidden_html": HIDDEN_PLACEHOLDER if key is not None else self.hidden_html,
            },
        )
        if key is None:
            return html
        unit = self.selected_unit
        if unit is None:
            valid_until = self.now + timedelta(seconds=availability_cache_seconds())
        else:
            valid_until = availability_valid_until(
                unit=unit, procedure=self.procedure, now=self.now, snapshot=self._availability
            )
        cache.set(
            key,
            {"html": str(html), "computed_at": self.now, "valid_until": valid_until},
            availability_cache_seconds(),
        )
        return _with_csrf(str(html), csrf_token, self.hidden_html)

    def _render_cache_key(self) -> str | None:
        if self.is_bound or self.holder_key or self.alternatives or not availability_cache_usable():
            return None
        state = repr((self.prefix, self.action, self.days_shown, sorted(self.query.items())))
        digest = hashlib.sha256(state.encode()).hexdigest()[:32]
        return (
            f"appointments:picker-html:{availability_version()}:{self.procedure.pk}:{self._units_fingerprint()}:"
            f"{get_language()}:{timezone.localdate(self.now).isoformat()}:{digest}"
        )

    # --- Validation (the POSTed time) -----------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("slot") or ""
        if not value:
            raise ValidationError({"slot": CHOOSE_TIME})
        try:
            unit_pk, stamp = value.split("@", 1)
            starts_at = timezone.make_aware(datetime.strptime(stamp, "%Y%m%d%H%M"), timezone.get_default_timezone())
            unit = next(u for u in self.units if u.pk == int(unit_pk))
        except (ValueError, StopIteration):
            raise ValidationError({"slot": INVALID_TIME}) from None
        cleaned["unit"] = unit
        cleaned["starts_at"] = starts_at
        return cleaned

    def offer_alternatives_from_query(self) -> None:
        """After a refused time (`?gan=<ISO time>` of the redirect that follows the refusal): offer the nearest free
        times at the chosen unit and others, as `add_service_error` does on the refusal itself."""
        from .selectors import slot_list_nearest

        try:
            near = datetime.fromisoformat(self.query.get(self.add_prefix(NEAR_PARAM), ""))
        except ValueError:
            return
        unit = self.selected_unit
        if unit is not None and timezone.is_aware(near):
            self.alternatives = slot_list_nearest(unit=unit, procedure=self.procedure, near=max(near, self.now))

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal above the times; a SlotUnavailable also brings its alternatives."""
        self.alternatives = list(getattr(error, "alternatives", []))
        if hasattr(error, "error_dict"):
            for messages in error.message_dict.values():
                for message in messages:
                    self.add_error(None, message)
        else:
            self.add_error(None, error)
