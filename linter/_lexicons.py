"""Name lexicons (brands, celebrities) from corpora/, one name per line."""
from __future__ import annotations

from functools import cache

from ._paths import CORPORA_DIR


@cache
def load_lexicon(name: str) -> tuple[str, ...]:
    path = CORPORA_DIR / f"{name}.txt"
    if not path.is_file():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
