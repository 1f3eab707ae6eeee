"""Rotating SECRET_KEY (the old key moved to SECRET_KEY_FALLBACKS) keeps printed QR codes and slips valid."""

import pytest
from django.core.exceptions import ValidationError

from apps.filings.services import filing_qr_verify
from apps.filings.tokens import qr_token, receipt_token

from .factories import submitted_declaration

pytestmark = pytest.mark.django_db

OLD = "old-secret-key-" + "o" * 40
NEW = "new-secret-key-" + "n" * 40


def test_old_qr_codes_and_slips_stay_valid_after_a_key_rotation(client, settings, demo_data):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    declaration = submitted_declaration()
    printed_qr, printed_receipt = qr_token(declaration.code), receipt_token(declaration.code)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    assert filing_qr_verify(printed_qr) == declaration
    assert client.get(f"/thu-tuc/cap-cccd/hoan-tat/{printed_receipt}/").status_code == 200
    assert qr_token(declaration.code) != printed_qr  # new codes are signed with the new key
    assert filing_qr_verify(qr_token(declaration.code)) == declaration

    settings.SECRET_KEY_FALLBACKS = []  # once the old key is retired, its codes are refused
    with pytest.raises(ValidationError):
        filing_qr_verify(printed_qr)
    assert client.get(f"/thu-tuc/cap-cccd/hoan-tat/{printed_receipt}/").status_code == 404
