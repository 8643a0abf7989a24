"""sanshen (三审): a compliance linter for Chinese e-commerce listings.

    from linter import Linter
    report = Linter().check({"id": "SKU-1", "title": "全网最低价 加微信"})
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._config import Config, find_user_config, load_config
from ._engine import Context, Linter
from ._errors import ConfigError, InputError, OcrUnavailable, RulePackError, SanshenError
from ._models import Finding, Listing, Report, parse_listing
from ._ocr import ImageTooLarge, OcrEngine, OcrLine, OcrText, UnreadableImage

try:
    __version__ = version("sanshen")
except PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0.0.0+source"

__all__ = [
    "Config", "ConfigError", "Context", "Finding", "ImageTooLarge", "InputError", "Linter", "Listing", "OcrEngine",
    "OcrLine", "OcrText", "OcrUnavailable", "Report", "RulePackError", "SanshenError", "UnreadableImage",
    "__version__", "find_user_config", "load_config", "parse_listing",
]
