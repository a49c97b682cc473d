"""The one rule for when two spellings name the same account or contact.

``Électricité Dupont``, ``ÉLECTRICITÉ  DUPONT`` and ``Electricite Dupont`` are one
company: people type names without accents (US keyboards, phones, exports from
ASCII-only systems) far more often than two different companies differ only by an
accent, and a duplicate account splits a customer's history in two. So the key
drops Latin, Greek and Cyrillic accents as well as case and spacing. The key is
computed here in Python, stored in an indexed ``name_key`` column and compared
with plain equality, so SQLite and PostgreSQL give the same answer (SQLite's
``lower()`` folds ASCII only).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Combining Diacritical Marks: the accents NFKD splits off Latin, Greek and Cyrillic
# letters. Marks of other scripts (a Devanagari virama, a kana voicing mark) change
# the letter itself and are kept.
_ACCENTS = range(0x0300, 0x0370)


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """``" ÉLECTRICITÉ   Dupont"`` → ``"electricite dupont"``: NFKC, accents dropped,
    casefolded, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if ord(ch) not in _ACCENTS)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", bare).casefold())
    return " ".join(folded.split())
