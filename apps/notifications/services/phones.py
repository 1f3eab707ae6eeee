"""Phone numbers as every message and code is addressed: E.164 Vietnamese mobiles."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_PHONE = _("Enter a Vietnamese mobile number, for example 0912 345 678.")


def phone_normalize(raw: str) -> str:
    """A Vietnamese mobile number in E.164 (+849…), from what a citizen typed (0912 345 678, 84912…, +84…)."""
    text = (raw or "").strip()
    if text.startswith("84") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_PHONE, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
