"""Comparable forms of Vietnamese names and text: no diacritics (đ -> d), lower case, single spaces."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]")


def normalize_search(text: str) -> str:
    """'Lịch TIẾP dân, Phường 9' -> 'lich tiep dan phuong 9'."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = _NON_WORD.sub(" ", stripped.lower())
    return _SPACES.sub(" ", stripped).strip()
