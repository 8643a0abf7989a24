"""OCR interface: an engine turns image bytes into lines of text with pixel boxes.

The engine lints the OCR text as field `images[i]`; `OcrText.bbox` maps a finding's character span
back to the union of the boxes of the lines it touches. Engines (linter/_ocr_engines.py) raise
UnreadableImage for bytes they cannot decode; the engine reports that as an InputError.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OcrLine:
    text: str
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels


@dataclass(frozen=True)
class OcrText:
    lines: tuple[OcrLine, ...]

    @property
    def text(self) -> str:
        """Lines joined by newlines: a term split over two lines is still found (newline is a separator)."""
        return "\n".join(line.text for line in self.lines)

    def bbox(self, start: int, end: int) -> list[int] | None:
        """Box of text[start:end]: within a line, x is interpolated by character position."""
        boxes = []
        pos = 0
        for line in self.lines:
            n = len(line.text)
            if start < pos + n and end > pos and n:
                x0, y0, x1, y1 = line.bbox
                a, b = max(start, pos) - pos, min(end, pos + n) - pos
                boxes.append((x0 + (x1 - x0) * a // n, y0, x0 + (x1 - x0) * b // n, y1))
            pos += n + 1
        if not boxes:
            return None
        return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


class OcrEngine(Protocol):
    name: str

    def read(self, image: bytes) -> OcrText: ...


class UnreadableImage(ValueError):
    """What an engine raises for bytes that are not an image it can decode."""


class ImageTooLarge(UnreadableImage):
    """An image with more pixels than an engine decodes (a small file can hold a huge blank image)."""
