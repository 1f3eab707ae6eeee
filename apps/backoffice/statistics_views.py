"""The statistics page (/admin/quay/thong-ke/): figures for a period per unit, shown and exported (CSV, XLSX)."""

import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from .forms import StatisticsForm
from .models import AuditAction
from .services import audit_record
from .statistics import Statistics, statistics_for_period, statistics_units
from .views import XLSX_CONTENT_TYPE, _context

# Whoever may view one of these sees the page, with that section (statistics_for_period leaves the others empty).
SECTIONS_PERMISSIONS = ("appointments.view_appointment", "filings.view_filing", "reports.view_report")


def statistics_view(request):
    user = request.user
    if not any(user.has_perm(p) for p in SECTIONS_PERMISSIONS):
        raise PermissionDenied
    units = list(statistics_units(user=user))
    if not units:
        raise PermissionDenied(gettext("Your account is not attached to any unit: ask your administrator."))
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else {"start": today.replace(day=1), "end": today, "unit": ""}
    form = StatisticsForm(data, units=units)
    stats = None
    if form.is_valid():
        chosen = form.cleaned_data["unit"]
        shown = [u for u in units if chosen is None or u.pk == chosen]
        if not shown:
            raise PermissionDenied
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        stats = statistics_for_period(user=user, start=start, end=end, units=shown)
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            return _export(request, stats=stats, fmt=fmt, scope=str(shown[0]) if chosen else gettext("All my units"))
    query = urlencode({k: v for k, v in form.data.items() if k != "format"}) if form.is_bound else ""
    context = _context(
        request,
        title=gettext("Statistics"),
        form=form,
        stats=stats,
        query=query,
        can_bookings=user.has_perm("appointments.view_appointment"),
        can_filings=user.has_perm("filings.view_filing"),
        can_reports=user.has_perm("reports.view_report"),
    )
    return TemplateResponse(request, "backoffice/statistics.html", context)


def _percent(value: float | None):
    return None if value is None else round(100 * value, 1)


def statistics_rows(stats: Statistics, *, scope: str) -> list[tuple[str, list]]:
    """The export's lines: ("title" | "header" | "row", values). Numbers stay numbers; percentages have one
    decimal."""
    lines: list[tuple[str, list]] = [("title", [gettext("Statistics"), scope, stats.start, stats.end])]
    lines.append(
        (
            "header",
            [
                gettext("Unit"),
                gettext("Booked places"),
                gettext("Arrived"),
                gettext("No-shows"),
                gettext("No-show rate (%)"),
                gettext("Cancelled"),
                gettext("Places offered"),
                gettext("Utilisation (%)"),
                gettext("Reports received"),
                gettext("Reports overdue"),
            ],
        )
    )
    for f in [*stats.units, stats.totals]:
        lines.append(
            (
                "row",
                [
                    f.unit_name or gettext("Total"),
                    f.booked,
                    f.checked_in,
                    f.no_show,
                    _percent(f.no_show_rate),
                    f.cancelled,
                    f.places,
                    _percent(f.utilisation),
                    f.reports,
                    f.reports_overdue,
                ],
            )
        )
    lines.append(("row", []))
    lines.append(("header", [gettext("Procedure"), *(str(label) for _v, label in stats.states), gettext("Total")]))
    for procedure in stats.procedures:
        lines.append(("row", [procedure.name, *procedure.cells, procedure.total]))
    lines.append(("row", [gettext("Total"), *stats.state_total_cells, stats.filings_total]))
    return lines


def _export(request, *, stats: Statistics, fmt: str, scope: str) -> HttpResponse:
    """A few dozen lines whatever the period: written in the request with the exports' writers (typed XLSX
    cells, CSV with BOM and `;` for Vietnamese Excel, formulas neutralised)."""
    from apps.exports.writers import WRITERS

    lines = statistics_rows(stats, scope=scope)
    stream = io.BytesIO()
    writer = WRITERS[fmt](stream, sheet_title=gettext("Statistics"), title=lines[0][1])
    for kind, values in lines[1:] if fmt == "xlsx" else lines:
        if kind == "header":
            writer.header(values)
        else:
            writer.row(values)
    writer.close()
    content_types = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}
    response = HttpResponse(stream.getvalue(), content_type=content_types[fmt])
    response["Content-Disposition"] = f'attachment; filename="thong-ke-{stats.start:%Y%m%d}-{stats.end:%Y%m%d}.{fmt}"'
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        detail=gettext("Statistics %(start)s–%(end)s, %(scope)s, %(format)s")
        % {"start": f"{stats.start:%d/%m/%Y}", "end": f"{stats.end:%d/%m/%Y}", "scope": scope, "format": fmt.upper()},
    )
    return response
