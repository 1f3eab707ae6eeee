"""Normalised text for searching names the way officers type them: no diacritics, no case, single spaces."""

import unicodedata

# "Đ" is a letter of its own, not D with a mark, so Unicode decomposition does not strip it.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def search_normalize(value: str | None) -> str:
    """ "NGUYỄN  Văn Ánh" -> "nguyen van anh". Store it in an indexed column next to the name; search that."""
    decomposed = unicodedata.normalize("NFD", (value or "").translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
