"""sanshen (三审): a compliance linter for Chinese e-commerce listings.

    from linter import Linter
    report = Linter().check({"id": "SKU-1", "title": "全网最低价 加微信"})
"""
from __future__ import annotations

from ._config import Config, find_user_config, load_config
from ._engine import Context, Linter
from ._errors import ConfigError, InputError, OcrUnavailable, RulePackError, SanshenError
from ._models import Finding, Listing, Report, parse_listing
from ._ocr import ImageTooLarge, OcrEngine, OcrLine, OcrText, UnreadableImage
from ._version import __version__  # a constant, not importlib.metadata: that import costs 35 ms of start-up

__all__ = [
    "Config", "ConfigError", "Context", "Finding", "ImageTooLarge", "InputError", "Linter", "Listing", "OcrEngine",
    "OcrLine", "OcrText", "OcrUnavailable", "Report", "RulePackError", "SanshenError", "UnreadableImage",
    "__version__", "find_user_config", "load_config", "parse_listing",
]
