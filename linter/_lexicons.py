"""Name lexicons (brands, celebrities) from corpora/, one name per line."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from ._paths import CORPORA_DIR


def load_lexicon(name: str) -> tuple[str, ...]:
    """The names in corpora/<name>.txt; re-read when the file changes (a service reload sees edits)."""
    path = CORPORA_DIR / f"{name}.txt"
    if not path.is_file():
        return ()
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
