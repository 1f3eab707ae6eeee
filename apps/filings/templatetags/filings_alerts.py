from django import template
from django.urls import reverse

from apps.backoffice.scoping import queryset_scope_to_user

from ..models import Filing
from ..selectors import filing_resubmitted_count

register = template.Library()


@register.inclusion_tag("admin/filings/_resubmitted_alert.html", takes_context=True)
def filing_resubmitted_alert(context):
    """The dashboard's alert: filings of the officer's units that citizens corrected and sent again, waiting for a
    new check, and how many of them the officer had returned; each count links to the review queue's filter."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (user and user.is_active and user.is_staff and user.has_perm("filings.view_filing")):
        return {"count": None}
    filings = queryset_scope_to_user(Filing.objects.all(), user=user, unit_field="appointment__unit")
    count = filing_resubmitted_count(filings=filings, user=user)
    queue = reverse("admin:filings_filing_changelist")
    return {"count": count, "all_url": f"{queue}?sua_lai=waiting", "mine_url": f"{queue}?sua_lai=mine"}
