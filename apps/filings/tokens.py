"""Signed tokens: the done page's address and the QR code an officer scans at the counter.

Each use has its own salt, so a token made for one purpose is refused for another; an altered or forged token
fails the signature check (django.core.signing, keyed by SECRET_KEY).

Signers are built on each call, not once at import, so they always read the current SECRET_KEY and
SECRET_KEY_FALLBACKS: after a key rotation (old key moved to DJANGO_SECRET_KEY_FALLBACKS) printed QR codes and
slips stay valid while new ones are signed with the new key.
"""

from django.core import signing

QR_SALT = "declarations.qr.v1"
RECEIPT_SALT = "declarations.receipt.v1"
LOOKUP_SALT = "declarations.lookup.v1"
DRAFT_COOKIE_SALT = "declarations.draft.v1"
LOOKUP_MAX_AGE = 30 * 60  # a lookup grants 30 minutes to reschedule or cancel


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=salt, sep=".")


def qr_token(code: str) -> str:
    return _signer(QR_SALT).sign(code)


def qr_token_code(token: str) -> str:
    """The code inside a QR token; raises signing.BadSignature when forged or altered."""
    return _signer(QR_SALT).unsign(token.strip())


def receipt_token(code: str) -> str:
    return _signer(RECEIPT_SALT).sign(code)


def receipt_token_code(token: str) -> str:
    return _signer(RECEIPT_SALT).unsign(token)


def lookup_token(code: str) -> str:
    return signing.TimestampSigner(salt=LOOKUP_SALT, sep=".").sign(code)


def lookup_token_code(token: str) -> str:
    return signing.TimestampSigner(salt=LOOKUP_SALT, sep=".").unsign(token, max_age=LOOKUP_MAX_AGE)


def receipt_link_is_current(*, appointment, submitted_at, now=None) -> bool:
    """A done page's address (and its slip, QR and .ics) works until RECEIPT_LINK_DAYS_AFTER_VISIT days after the
    visit, or after submission when there is no visit: a link forwarded or left in a shared phone's history stops
    showing the citizen's details (the lookup with the code and phone still works)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    anchor = appointment.slot.starts_at if appointment is not None else submitted_at
    if anchor is None:
        return True
    return now <= anchor + timedelta(days=settings.RECEIPT_LINK_DAYS_AFTER_VISIT)
