from django import template

from ..selectors import ceiling_trip_list_recent

register = template.Library()


@register.inclusion_tag("notifications/_ceiling_alerts.html", takes_context=True)
def notification_ceiling_alerts(context):
    """The back office dashboard's alert when a ceiling on paid messages was reached today (staff only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = bool(user and user.is_active and user.is_staff)
    return {"trips": ceiling_trip_list_recent() if visible else []}
