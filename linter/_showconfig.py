"""`sanshen config`: the effective configuration (defaults merged with the user's file) as TOML or JSON."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ._config import Config, find_user_config, load_config

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def effective_config(config: Path | None, start: Path) -> Config:
    """--config if given, else the file found upward from `start` (a file or a folder)."""
    if config is None:
        folder = start if start.is_dir() else start.parent
        config = find_user_config(folder)
    return load_config(config)


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # a JSON string is a valid TOML basic string (same escapes, \\uXXXX included)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    lines.append("")
    lines.append("[" + ".".join(_key(p) for p in path) + "]")
    nested = {k: v for k, v in table.items() if isinstance(v, dict)}
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in table.items() if k not in nested)
    for name, sub in nested.items():
        _table(lines, path + [name], sub)


def to_toml(data: dict[str, Any]) -> str:
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            _table(lines, [name], table)
    return "\n".join(lines).lstrip("\n") + "\n"


def render(config: Config, fmt: str) -> str:
    source = str(config.source) if config.source else "none (packaged defaults only)"
    if fmt == "json":
        return json.dumps({"source": source, "config": config.data}, ensure_ascii=False, indent=2) + "\n"
    return f"# effective sanshen configuration\n# user configuration: {source}\n\n" + to_toml(config.data)
