"""Codes that citizens read aloud, type and carry in QR codes.

The alphabet has no look-alikes: no 0/O, 1/I, and no Z (read as 2). Its 31 symbols are a prime number, which
lets one check character catch every single mistyped character and every swap of two neighbours: the code's
characters, weighted 1, 2, 3 … by position, sum to 0 modulo 31 (ISO 7064-style weighted check over a prime
field). Random characters are drawn with `secrets`; 8 of them carry about 40 bits, so codes cannot be guessed
or enumerated. Callers retry on collision and keep a unique constraint (see pretix's `Order.assign_code`).
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_P = len(ALPHABET)  # 31, prime
_STRIP = re.compile(r"[\s\-–.·_/]+")
MAX_LENGTH = _P - 1  # weights 1..30 stay distinct and non-zero modulo 31


def _weighted_sum(text: str) -> int:
    return sum((position + 1) * _INDEX[ch] for position, ch in enumerate(text)) % _P


def check_character(payload: str) -> str:
    """The character that makes the whole code's weighted sum 0 modulo 31."""
    if len(payload) + 1 > MAX_LENGTH:
        raise ValueError("code too long for a single check character")
    weight = len(payload) + 1
    value = (-_weighted_sum(payload) * pow(weight, -1, _P)) % _P
    return ALPHABET[value]


def code_generate(*, length: int = 8) -> str:
    """`length` random characters and a check character, e.g. 'K7MX3PQ9R'."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return payload + check_character(payload)


def code_is_valid(code: str) -> bool:
    if not 2 <= len(code) <= MAX_LENGTH or any(ch not in _INDEX for ch in code):
        return False
    return _weighted_sum(code) == 0


def code_normalize(raw: str) -> str:
    """What a citizen typed, as stored: upper case, without spaces, dots or dashes."""
    return _STRIP.sub("", raw or "").upper()


def code_format(code: str, group: int = 4) -> str:
    """For reading aloud: 'K7MX-3PQ9-R'."""
    return "-".join(code[i : i + group] for i in range(0, len(code), group))


def code_display(reference: str) -> str:
    """A stored reference as every page, slip and message writes it: a valid code grouped ('K7MX-3PQ9-R'), any
    other reference (an officer's own, from before codes) as it is."""
    code = code_normalize(reference)
    return code_format(code) if code_is_valid(code) else (reference or "")
