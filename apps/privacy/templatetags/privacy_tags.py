from django import template
from django.utils.translation import get_language

from apps.privacy.services.notices import privacy_notice_current

register = template.Library()


@register.inclusion_tag("privacy/includes/_notice.html")
def privacy_notice(sensitive: bool = False, declaration: bool = True):
    """The notice in force (and, where the form asks for sensitive data, its consent text) in the page's language,
    folded in a <details> (no JavaScript): one line on the page until the citizen opens it. A journey's first
    step shows the consent and declaration texts as its boxes' labels instead (privacy/includes/_consent.html)."""
    notice = privacy_notice_current()
    language = get_language() or "vi"
    if notice is None:
        return {"notice": None}
    return {
        "notice": notice,
        "text": notice.localized("notice", language),
        "sensitive": notice.localized("sensitive_consent", language) if sensitive else "",
        "declaration": notice.localized("declaration", language) if declaration else "",
    }
