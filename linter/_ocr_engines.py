"""The OCR engines behind `OcrEngine`: tesseract (pytesseract) and RapidOCR, with an on-disk cache.

`make_engine(name)` builds one and checks that it can run (binary, language data, models), so a
missing engine is an `OcrUnavailable` at the start of an image check, never an error mid-scan.
Bytes that are not a decodable image raise `UnreadableImage`; the engine turns that into an
InputError naming the record and field.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import re
import statistics
import tempfile
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from PIL import Image, ImageOps, UnidentifiedImageError

from ._errors import OcrUnavailable
from ._paths import cache_root
from ._ocr import ImageTooLarge, OcrEngine, OcrLine, OcrText, UnreadableImage

ENGINES = ("auto", "tesseract", "rapidocr")
MIN_LINE_HEIGHT = 6  # px of ink; below that a band is a rule, an underline or noise
MAX_PIXELS = 40_000_000  # a 10 MB PNG can hold gigapixels of blank; refuse before decoding that

# A space tesseract puts next to a CJK character is an artefact of its word model, not in the image.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def make_engine(name: str, *, cache_dir: Path | None | bool = True) -> OcrEngine:
    """The engine `name` (auto, tesseract, rapidocr), checked and wrapped in the result cache.

    cache_dir: True for the default folder (`$SANSHEN_CACHE_DIR/ocr` or `~/.cache/sanshen/ocr`),
    a path, or False/None for no disk cache.
    """
    if name == "auto":
        name = "rapidocr" if importlib.util.find_spec("rapidocr_onnxruntime") is not None else "tesseract"
    engine: TesseractEngine | RapidOcrEngine
    if name == "tesseract":
        engine = TesseractEngine()
    elif name == "rapidocr":
        engine = RapidOcrEngine()
    elif name == "none":
        raise OcrUnavailable("OCR is turned off (ocr engine 'none'); choose auto, tesseract or rapidocr")
    else:
        raise OcrUnavailable(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
    folder = default_cache_dir() if cache_dir is True else (cache_dir or None)
    return CachedEngine(engine, folder)


def default_cache_dir() -> Path:
    return cache_root() / "ocr"


def decode_image(blob: bytes) -> Image.Image:
    """The first frame as upright RGB on white (transparent banners have their text in the alpha)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(blob))
            pixels = image.width * image.height
            if pixels > MAX_PIXELS:
                raise ImageTooLarge(f"is {image.width}x{image.height} pixels; the limit is {MAX_PIXELS}")
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except UnreadableImage:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(str(exc)) from None
    except UnidentifiedImageError:
        raise UnreadableImage("is not an image (PNG, JPEG, WebP, GIF, BMP or TIFF)") from None
    except Exception as exc:  # truncated or corrupt data: PIL raises OSError, SyntaxError, ValueError, struct.error …
        raise UnreadableImage(f"is a damaged image ({type(exc).__name__}: {exc})") from None
    if image.width < 1 or image.height < 1:
        raise UnreadableImage("has no pixels")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


# ---- cache -------------------------------------------------------------------------------------


class TaggedEngine(OcrEngine, Protocol):
    tag: str  # engine, version and preprocessing: a result cached under another tag is not reused


class CachedEngine:
    """Results by sha256(image bytes + engine tag): on disk so a rescan does not OCR again, and the
    last few in memory for the service. An unwritable cache folder only costs speed."""

    MEMORY_ITEMS = 256

    def __init__(self, engine: TaggedEngine, folder: Path | None) -> None:
        self.engine = engine
        self.name = engine.name
        self.folder = folder
        self._memory: OrderedDict[str, OcrText] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, blob: bytes) -> str:
        return hashlib.sha256(blob + b"\0" + self.engine.tag.encode()).hexdigest()

    def read(self, image: bytes) -> OcrText:
        key = self.key(image)
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return hit
        result = self._load(key)
        if result is None:
            result = self.engine.read(image)
            self._store(key, result)
        with self._lock:
            self._memory[key] = result
            while len(self._memory) > self.MEMORY_ITEMS:
                self._memory.popitem(last=False)
        return result

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def _load(self, key: str) -> OcrText | None:
        if self.folder is None:
            return None
        try:
            data = orjson.loads(self._path(key).read_bytes())
            return OcrText(tuple(OcrLine(str(text), (int(b[0]), int(b[1]), int(b[2]), int(b[3])))
                                 for text, b in data["lines"]))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
            return None  # absent or damaged: OCR again

    def _store(self, key: str, result: OcrText) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        data = orjson.dumps({"engine": self.engine.tag,
                             "lines": [[line.text, list(line.bbox)] for line in result.lines]})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # write then rename: parallel scans never read a half-written entry
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)


# ---- tesseract ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A box in the original image: one line of text, or a picture (with any text beside it)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def height(self) -> int:
        return self.y1 - self.y0


class TesseractEngine:
    """tesseract `chi_sim+eng` with the preprocessing it needs on banners.

    tesseract reads CJK best at glyphs about 30 px tall and badly at the 60-80 px of banner
    headlines, and one banner mixes sizes. So the image is binarized, each line of ink is cut out
    and scaled to TARGET_HEIGHT, and the lines are stacked into one page: one tesseract process per
    image, not per line. A line read with low confidence is read again at other heights and the
    most confident reading kept. Pictures (and text beside them that the cut could not separate)
    go to tesseract's own layout analysis at a scale estimated from a first pass.
    """

    name = "tesseract"
    LANG = "chi_sim+eng"
    TARGET_HEIGHT = 28
    RETRY_HEIGHTS = (24, 32)  # measured on the dev banners: recovers lines read as Latin noise
    RETRY_CONFIDENCE = 80.0   # clean CJK lines read at 85-95; misreads mostly below 75
    # below this after every retry a "line" is texture or icons (they read at 1-30); the worst real
    # line on the dev banners reads at 58
    MIN_CONFIDENCE = 40.0
    PICTURE_CONFIDENCE = 50.0  # inside pictures tesseract hallucinates text at low confidence
    MAX_LINE_HEIGHT = 400  # taller bands of ink are pictures, or text beside a picture
    TIMEOUT = 60  # seconds per tesseract call: a pathological image fails alone, not the worker

    def __init__(self) -> None:
        try:
            import pytesseract  # type: ignore[import-untyped]
        except ImportError:
            raise OcrUnavailable("OCR engine tesseract needs the pytesseract package: "
                                 "pip install pytesseract") from None
        self._pt = pytesseract
        try:
            version = pytesseract.get_tesseract_version()
            languages = set(pytesseract.get_languages(config=""))
        except pytesseract.TesseractNotFoundError:
            raise OcrUnavailable(f"OCR engine tesseract: no {pytesseract.pytesseract.tesseract_cmd!r} program found; "
                                 "Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-chi-sim") from None
        except (pytesseract.TesseractError, OSError) as exc:
            raise OcrUnavailable(f"OCR engine tesseract does not run: {exc}") from None
        missing = [lang for lang in self.LANG.split("+") if lang not in languages]
        if missing:
            raise OcrUnavailable(f"tesseract {version} has no language data for {', '.join(missing)}; "
                                 "Debian/Ubuntu: apt-get install tesseract-ocr-chi-sim")
        self.tag = f"tesseract-{version}-{self.LANG}-h{self.TARGET_HEIGHT}-v2"
        # tesseract's OpenMP threads cost more than they save on pages this small (measured: 0.23 s
        # a banner with one thread, 0.36 s with all), and parallel scans would oversubscribe the CPUs;
        # pytesseract passes os.environ to every tesseract it starts
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def read(self, image: bytes) -> OcrText:
        binary = _ink_dark(decode_image(image).convert("L"))
        segments, pictures = _layout(binary, _Segment(0, 0, binary.width, binary.height), self.MAX_LINE_HEIGHT)
        readings = self._read_lines(binary, segments)
        lines = [OcrLine(text, (s.x0, s.y0, s.x1, s.y1)) for s, (text, conf) in zip(segments, readings)
                 if text and conf >= self.MIN_CONFIDENCE]
        for picture in pictures:
            lines.extend(self._read_picture(binary, picture))
        lines.sort(key=lambda line: (line.bbox[1], line.bbox[0]))
        return OcrText(tuple(lines))

    def _read_lines(self, binary: Image.Image, segments: list[_Segment]) -> list[tuple[str, float]]:
        best = self._read_stack(binary, segments, self.TARGET_HEIGHT)
        for height in self.RETRY_HEIGHTS:
            weak = [i for i, (_, conf) in enumerate(best) if conf < self.RETRY_CONFIDENCE]
            if not weak:
                break
            again = self._read_stack(binary, [segments[i] for i in weak], height)
            for i, reading in zip(weak, again):
                if reading[1] > best[i][1]:
                    best[i] = reading
        return best

    def _read_stack(self, binary: Image.Image, segments: list[_Segment], height: int) -> list[tuple[str, float]]:
        """(text, mean character confidence) per segment, all read from one page of stacked lines."""
        if not segments:
            return []
        gap = height  # blank between lines, so tesseract sees each as its own text line
        crops = []
        for s in segments:
            crop = binary.crop((s.x0, s.y0, s.x1, s.y1))
            crops.append(crop.resize((max(1, round(crop.width * height / s.height)), height), Image.Resampling.LANCZOS))
        page = Image.new("L", (max(c.width for c in crops) + 2 * gap, len(crops) * (height + gap) + gap), 255)
        for i, crop in enumerate(crops):
            page.paste(crop, (gap, gap + i * (height + gap)))
        rows: list[list[_Word]] = [[] for _ in segments]
        for word in self._words(page, psm=6):
            row = int(((word.y0 + word.y1) / 2 - gap / 2) // (height + gap))
            if 0 <= row < len(segments):
                rows[row].append(word)
        return [(_join_words([w.text for w in sorted(row)]), _confidence(row)) for row in rows]

    def _read_picture(self, binary: Image.Image, box: _Segment) -> list[OcrLine]:
        """tesseract's own layout analysis (sparse text), at the scale that brings the text lines a
        first pass finds to TARGET_HEIGHT; lines it is unsure of are dropped as picture noise."""
        region = binary.crop((box.x0, box.y0, box.x1, box.y1))
        first = self._grouped(region, 1.0)
        if not first:
            return []
        height = statistics.median(max(w.y1 for w in words) - min(w.y0 for w in words) for words in first)
        scale = max(0.2, min(3.0, self.TARGET_HEIGHT / max(1, height)))
        groups = first if 0.8 <= scale <= 1.25 else self._grouped(region, scale)
        lines = []
        for words in groups:
            if _confidence(words) < self.PICTURE_CONFIDENCE:
                continue
            x0, y0 = min(w.x0 for w in words) / scale, min(w.y0 for w in words) / scale
            x1, y1 = max(w.x1 for w in words) / scale, max(w.y1 for w in words) / scale
            lines.append(OcrLine(_join_words([w.text for w in words]),
                                 (box.x0 + round(x0), box.y0 + round(y0), box.x0 + round(x1), box.y0 + round(y1))))
        return lines

    def _grouped(self, image: Image.Image, scale: float) -> list[list[_Word]]:
        """Words of a sparse-text pass grouped into lines by block/par/line, each sorted left to right."""
        if scale != 1.0:
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.Resampling.LANCZOS)
        groups: dict[tuple[int, int, int], list[_Word]] = {}
        for word in self._words(image, psm=11):
            groups.setdefault(word.line, []).append(word)
        return [sorted(words) for words in groups.values()]

    def _words(self, image: Image.Image, psm: int) -> list[_Word]:
        try:
            data = self._pt.image_to_data(image, lang=self.LANG, config=f"--psm {psm}",
                                          output_type=self._pt.Output.DICT, timeout=self.TIMEOUT)
        except (self._pt.TesseractError, RuntimeError) as exc:  # RuntimeError: the timeout
            raise UnreadableImage(f"could not be read by tesseract: {exc}") from None
        words = []
        for i, text in enumerate(data["text"]):
            conf = float(data["conf"][i])
            if conf < 0 or not text.strip():
                continue
            left, top = data["left"][i], data["top"][i]
            words.append(_Word(left, top, left + data["width"][i], top + data["height"][i], text.strip(), conf,
                               (data["block_num"][i], data["par_num"][i], data["line_num"][i])))
        return words


@dataclass(frozen=True, order=True)
class _Word:
    x0: int
    y0: int
    x1: int
    y1: int
    text: str
    conf: float
    line: tuple[int, int, int]  # tesseract's block, paragraph, line


def _confidence(words: list[_Word]) -> float:
    """Mean confidence per character; -1 for nothing read."""
    chars = sum(len(w.text) for w in words)
    return sum(len(w.text) * w.conf for w in words) / chars if chars else -1.0


def _join_words(words: list[str]) -> str:
    return _CJK_SPACE.sub("", " ".join(words))


def _ink_dark(gray: Image.Image) -> Image.Image:
    """Binarize (Otsu) and make the ink black on white: banners often carry light text on colour."""
    threshold = _otsu(gray.histogram())
    binary = gray.point(lambda v: 255 if v > threshold else 0)
    light = binary.histogram()[255]
    if light * 2 < gray.width * gray.height:  # the background is the majority class
        binary = ImageOps.invert(binary)
    return binary


def _otsu(histogram: list[int]) -> int:
    total = sum(histogram)
    weighted = sum(i * n for i, n in enumerate(histogram))
    best, best_var, count, acc = 127, -1.0, 0, 0
    for level, n in enumerate(histogram):
        count += n
        if count == 0 or count == total:
            continue
        acc += level * n
        mean_low = acc / count
        mean_high = (weighted - acc) / (total - count)
        var = count * (total - count) * (mean_low - mean_high) ** 2
        if var > best_var:
            best, best_var = level, var
    return best


def _runs(profile: list[int], minimum: int) -> list[tuple[int, int]]:
    """Index ranges where profile >= minimum."""
    runs, start = [], None
    for i, value in enumerate(profile):
        if value >= minimum and start is None:
            start = i
        elif value < minimum and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(profile)))
    return runs


def _ink_profile(binary: Image.Image, axis: int) -> list[int]:
    """Ink pixels per row (axis 1) or column (axis 0) of a black-on-white binary image."""
    inverted = ImageOps.invert(binary)
    size = (1, inverted.height) if axis == 1 else (inverted.width, 1)
    length = inverted.width if axis == 1 else inverted.height
    # a box-filtered resize to one column (row) is the mean ink per row (column), in C
    squeezed = inverted.resize(size, Image.Resampling.BOX)
    return [round(v * length / 255) for v in squeezed.tobytes()]


def _layout(binary: Image.Image, box: _Segment, max_height: int, depth: int = 0
            ) -> tuple[list[_Segment], list[_Segment]]:
    """XY-cut of `box`: (text lines, pictures). Cut at blank rows; a band that is one line is cut
    again only at gaps wider than its height (separate text blocks, not word spaces); a taller
    band (a picture beside text) is cut at any clear column gap and each piece cut again."""
    lines: list[_Segment] = []
    pictures: list[_Segment] = []
    region = binary.crop((box.x0, box.y0, box.x1, box.y1))
    noise = max(1, region.width // 500)
    for r0, r1 in _runs(_ink_profile(region, 1), noise):
        if r1 - r0 < MIN_LINE_HEIGHT:
            continue  # rules, underlines and specks
        height = r1 - r0
        band = region.crop((0, r0, region.width, r1))
        columns = _runs(_ink_profile(band, 0), 1)
        min_gap = height if height <= max_height else max(16, region.width // 50)
        pieces = [[columns[0]]]
        for col in columns[1:]:
            if col[0] - pieces[-1][-1][1] > min_gap:
                pieces.append([])
            pieces[-1].append(col)
        for piece in pieces:
            found = _Segment(box.x0 + piece[0][0], box.y0 + r0, box.x0 + piece[-1][1], box.y0 + r1)
            if height <= max_height:
                lines.append(found)
            elif len(pieces) > 1 and depth < 6:
                more_lines, more_pictures = _layout(binary, found, max_height, depth + 1)
                lines += more_lines
                pictures += more_pictures
            else:
                pictures.append(found)
    return lines, pictures


# ---- RapidOCR ----------------------------------------------------------------------------------


class RapidOcrEngine:
    """RapidOCR (PP-OCR models on onnxruntime, shipped in its wheel): detection boxes per line.

    RapidOCR shrinks an image to a 2000 px long side, which leaves the text of a tall detail image
    (750 x 8000 is common) too small to read; such images are read in overlapping tiles at most
    TILE_RATIO widths tall, each line kept from the tile whose own part holds its centre."""

    name = "rapidocr"
    TILE_RATIO = 2.0
    OVERLAP = 0.15  # of a tile: more than a line of text, so every line is whole in some tile

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]
        except ImportError as exc:
            raise OcrUnavailable("OCR engine rapidocr is not installed: pip install 'sanshen[rapidocr]' "
                                 f"({exc})") from None
        try:
            self._ocr = RapidOCR()
        except Exception as exc:  # model files missing or onnxruntime broken: say so at start-up
            raise OcrUnavailable(f"OCR engine rapidocr cannot start: {type(exc).__name__}: {exc}") from None
        from importlib.metadata import version

        self.tag = f"rapidocr-{version('rapidocr-onnxruntime')}-tile{self.TILE_RATIO}-v1"
        self._lock = threading.Lock()

    def read(self, image: bytes) -> OcrText:
        rgb = decode_image(image)
        tile = max(1, round(self.TILE_RATIO * rgb.width))
        if rgb.height <= tile:
            lines = self._read(rgb, 0)
        else:
            step = max(1, round(tile * (1 - self.OVERLAP)))
            margin = (tile - step) // 2
            lines = []
            for top in range(0, rgb.height - (tile - step), step):
                # this tile owns the centres from half the overlap below its top to half above the next
                own_from = top + margin if top else 0
                own_to = top + step + margin if top + tile < rgb.height else rgb.height
                for line in self._read(rgb.crop((0, top, rgb.width, min(rgb.height, top + tile))), top):
                    if own_from <= (line.bbox[1] + line.bbox[3]) / 2 < own_to:
                        lines.append(line)
        lines.sort(key=lambda line: (line.bbox[1], line.bbox[0]))
        return OcrText(tuple(lines))

    def _read(self, rgb: Image.Image, top: int) -> list[OcrLine]:
        with self._lock:  # one RapidOCR object keeps per-call state (thresholds); calls take turns
            result, _ = self._ocr(rgb)
        lines = []
        for points, text, _score in result or []:
            xs = [p[0] for p in points]
            ys = [p[1] + top for p in points]
            box = (_clip(min(xs), rgb.width), _clip(min(ys), top + rgb.height), _clip(max(xs), rgb.width),
                   _clip(max(ys), top + rgb.height))
            text = _CJK_SPACE.sub("", str(text).strip())
            if text:
                lines.append(OcrLine(text, box))
        return lines


def _clip(value: Any, limit: int) -> int:
    return max(0, min(limit, round(float(value))))
