from django import template

from ..selectors import dashboard_charts

register = template.Library()


@register.inclusion_tag("backoffice/_dashboard.html", takes_context=True)
def backoffice_dashboard(context):
    request = context["request"]
    user = request.user
    return {
        "charts": dashboard_charts(user=user),
        "can_roster": user.has_perm("appointments.view_appointment"),
        "can_check_in": user.has_perm("backoffice.check_in"),
        "can_statistics": any(
            user.has_perm(p) for p in ("appointments.view_appointment", "filings.view_filing", "reports.view_report")
        ),
    }
