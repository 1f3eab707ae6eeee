"""Reads of the back office: the dashboard's figures, always limited to the officer's units."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import StateTransition
from .scoping import queryset_scope_to_user


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # For a ratio (slot utilisation): the whole the value is part of. None = bars scale to the largest value.
    total: int | None = None
    note: str = ""


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    empty_text: str = ""
    total_label: str = ""

    @property
    def scale(self) -> int:
        return max((b.total if b.total is not None else b.value for b in self.bars), default=0) or 1

    @property
    def rows(self) -> list[dict]:
        """Bars with their width in percent of the chart, ready for an inline SVG."""
        rows = []
        for bar in self.bars:
            whole = bar.total if bar.total is not None else self.scale
            percent = round(100 * bar.value / whole) if whole else 0
            rows.append({"bar": bar, "percent": min(percent, 100), "ratio": bar.total is not None})
        return rows

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def dashboard_charts(*, user, today: date | None = None) -> list[Chart]:
    today = today or timezone.localdate()
    charts: list[Chart] = []
    charts.append(_state_changes_today(user=user, today=today))
    return charts


def _state_changes_today(*, user, today: date) -> Chart:
    rows = (
        queryset_scope_to_user(StateTransition.objects.all(), user=user, unit_field="unit")
        .filter(at__date=today)
        .values("target")
        .annotate(n=Count("id"))
        .order_by("-n", "target")
    )
    return Chart(
        title=_("State changes today"),
        bars=[Bar(label=r["target"], value=r["n"]) for r in rows],
        empty_text=_("No state changes yet today."),
    )
