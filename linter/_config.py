"""Configuration: the packaged rules.toml, merged with a user's rules.toml or [tool.sanshen]."""
from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import ConfigError
from ._paths import DEFAULT_CONFIG
from ._rules import FAMILIES, SEVERITIES, STAGES, TIERS

EXTENDED_LISTS = {("rules", "disable"), ("rules", "allow"), ("packs", "paths")}

_NUMBER = (int, float)
# section -> key -> (type, check); a check returns an error message or None
SCHEMA: dict[str, dict[str, Any] | None] = {
    "packs": {"enabled": list, "paths": list},
    "rules": {"disable": list, "allow": list, "severity": dict, "terms": dict},
    "routing": None,  # free keys: rule id or family -> stage
    "scoring": {"base": dict, "tier_weight": dict, "evasion": _NUMBER, "visible_field": _NUMBER,
                "service_kind": _NUMBER, "repeat_bonus": _NUMBER, "repeat_cap": _NUMBER},
    "verdict": {"block_score": _NUMBER, "block_severity": str, "review_score": _NUMBER, "review_severity": str},
    "limits": {"max_body_bytes": int, "max_batch": int, "max_image_bytes": int, "max_field_chars": int},
    "ocr": {"engine": str},
}


@dataclass
class Config:
    """The effective configuration, plus where its user part came from (None: defaults only)."""

    data: dict[str, Any]
    source: Path | None
    base_dir: Path

    def get(self, section: str, key: str) -> Any:
        return self.data[section][key]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("sanshen", {})
    return data


def _merge(base: dict[str, Any], user: dict[str, Any], trail: tuple[str, ...] = ()) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in user.items():
        here = trail + (key,)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, here)
        elif here in EXTENDED_LISTS and isinstance(value, list):
            out[key] = list(out.get(key, [])) + value
        else:
            out[key] = value
    return out


def _validate(data: dict[str, Any], path: str) -> None:
    for section, value in data.items():
        if section == "rules_version":
            if not isinstance(value, str):
                raise ConfigError(path, "must be a string", "rules_version")
            continue
        if section not in SCHEMA:
            raise ConfigError(path, "unknown section", section)
        if not isinstance(value, dict):
            raise ConfigError(path, "must be a table", section)
        keys = SCHEMA[section]
        for key, item in value.items():
            name = f"{section}.{key}"
            if keys is None:
                if item not in STAGES:
                    raise ConfigError(path, f"{item!r} is not one of {', '.join(STAGES)}", name)
                continue
            if key not in keys:
                raise ConfigError(path, "unknown key", name)
            if not isinstance(item, keys[key]) or isinstance(item, bool):
                raise ConfigError(path, f"has the wrong type {type(item).__name__}", name)
    rules = data.get("rules", {})
    for key, severity in rules.get("severity", {}).items():
        if severity not in SEVERITIES:
            raise ConfigError(path, f"{severity!r} is not one of {', '.join(SEVERITIES)}", f"rules.severity.{key}")
    for key, terms in rules.get("terms", {}).items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
            raise ConfigError(path, "must be a list of non-empty strings", f"rules.terms.{key}")
    for key in ("disable", "allow"):
        if not all(isinstance(t, str) and t for t in rules.get(key, [])):
            raise ConfigError(path, "must be a list of non-empty strings", f"rules.{key}")
    if not all(isinstance(t, str) and t for t in data.get("packs", {}).get("paths", [])):
        raise ConfigError(path, "must be a list of non-empty strings", "packs.paths")
    for family in data.get("packs", {}).get("enabled", []):
        if family not in FAMILIES:
            raise ConfigError(path, f"unknown family {family!r}", "packs.enabled")
    verdict = data.get("verdict", {})
    for key in ("block_severity", "review_severity"):
        if key in verdict and verdict[key] not in SEVERITIES:
            raise ConfigError(path, f"{verdict[key]!r} is not one of {', '.join(SEVERITIES)}", f"verdict.{key}")
    scoring = data.get("scoring", {})
    for key, choices in (("base", SEVERITIES), ("tier_weight", TIERS)):
        for name, number in scoring.get(key, {}).items():
            if name not in choices or not isinstance(number, _NUMBER):
                raise ConfigError(path, f"needs numbers for {', '.join(choices)}", f"scoring.{key}.{name}")
    engine = data.get("ocr", {}).get("engine")
    if engine is not None and engine not in ("auto", "tesseract", "rapidocr", "none"):
        raise ConfigError(path, f"{engine!r} is not one of auto, tesseract, rapidocr, none", "ocr.engine")


def find_user_config(start: Path) -> Path | None:
    """rules.toml, or a pyproject.toml with [tool.sanshen], in `start` or the nearest parent."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        candidate = folder / "rules.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _read_toml(pyproject):
            return pyproject
    return None


def load_config(path: Path | None = None) -> Config:
    """Defaults merged with the user's file at `path` (None: defaults only)."""
    defaults = _read_toml(DEFAULT_CONFIG)
    _validate(defaults, str(DEFAULT_CONFIG))
    if path is None:
        return Config(defaults, None, DEFAULT_CONFIG.parent)
    user = _read_toml(path)
    _validate(user, str(path))
    return Config(_merge(defaults, user), path, path.parent)
