"""Signed tokens: the done page's address and the QR code an officer scans at the counter.

Each use has its own salt, so a token made for one purpose is refused for another; an altered or forged token
fails the signature check (django.core.signing, keyed by SECRET_KEY).
"""

from django.core import signing

QR_SALT = "declarations.qr.v1"
RECEIPT_SALT = "declarations.receipt.v1"
LOOKUP_SALT = "declarations.lookup.v1"
DRAFT_COOKIE_SALT = "declarations.draft.v1"
LOOKUP_MAX_AGE = 30 * 60  # a lookup grants 30 minutes to reschedule or cancel

_qr_signer = signing.Signer(salt=QR_SALT, sep=".")
_receipt_signer = signing.Signer(salt=RECEIPT_SALT, sep=".")
_lookup_signer = signing.TimestampSigner(salt=LOOKUP_SALT, sep=".")


def qr_token(code: str) -> str:
    return _qr_signer.sign(code)


def qr_token_code(token: str) -> str:
    """The code inside a QR token; raises signing.BadSignature when forged or altered."""
    return _qr_signer.unsign(token.strip())


def receipt_token(code: str) -> str:
    return _receipt_signer.sign(code)


def receipt_token_code(token: str) -> str:
    return _receipt_signer.unsign(token)


def lookup_token(code: str) -> str:
    return _lookup_signer.sign(code)


def lookup_token_code(token: str) -> str:
    return _lookup_signer.unsign(token, max_age=LOOKUP_MAX_AGE)
