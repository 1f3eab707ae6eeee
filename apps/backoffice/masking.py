"""Personal data shown partly on list pages: enough to tell records apart, not enough to copy someone's identity.

The full value stays on the record's own page, whose every opening is written to the audit log.
"""

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """A card number with only its last four digits: "********1234"."""
    value = (value or "").strip()
    if len(value) <= 4:
        return MASK * len(value)
    return MASK * (len(value) - 4) + value[-4:]


def mask_phone(value) -> str:
    """A phone number in the national form with its middle hidden: "090****567"."""
    text = str(value or "").strip().replace(" ", "")
    if text.startswith("+84"):
        text = "0" + text[3:]
    if len(text) <= 6:
        return MASK * len(text)
    return text[:3] + MASK * (len(text) - 6) + text[-3:]
