from django import template

from ..selectors import dashboard_charts

register = template.Library()


@register.inclusion_tag("backoffice/_dashboard.html", takes_context=True)
def backoffice_dashboard(context):
    request = context["request"]
    return {"charts": dashboard_charts(user=request.user)}
