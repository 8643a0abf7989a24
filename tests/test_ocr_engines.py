"""OCR engines on real banners: tesseract (and RapidOCR when installed) reading text drawn with Pillow
and a CJK font, boxes inside the image, the result cache, and the errors for bad bytes and missing
engines."""
from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from conftest import LinterFactory
from linter import InputError, OcrText, OcrUnavailable, UnreadableImage
from linter._ocr_engines import CachedEngine, RapidOcrEngine, TesseractEngine, _join_words, make_engine
from servicetools import FONT, banner

pytestmark = pytest.mark.skipif(not FONT.is_file(), reason="needs fonts-noto-cjk")

LOWEST = banner(["全网最低价", "工厂直供"], (1000, 350))


@pytest.fixture(scope="module")
def tesseract() -> TesseractEngine:
    try:
        return TesseractEngine()
    except OcrUnavailable as exc:
        pytest.skip(str(exc))


def compact(ocr: OcrText) -> str:
    return "".join(ocr.text.split())


def inside(bbox: tuple[int, int, int, int] | list[int], size: tuple[int, int]) -> bool:
    x0, y0, x1, y1 = bbox
    return 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]


def test_tesseract_reads_a_banner_with_line_boxes(tesseract: TesseractEngine) -> None:
    ocr = tesseract.read(LOWEST)
    assert [line.text for line in ocr.lines] == ["全网最低价", "工厂直供"]
    first, second = (line.bbox for line in ocr.lines)
    assert inside(first, (1000, 350)) and inside(second, (1000, 350))
    assert first[3] <= second[1]  # reading order top to bottom, boxes do not overlap
    # the 72 px glyphs of the first line: its box is about that tall and centred like the drawing
    assert 55 <= first[3] - first[1] <= 80 and abs((first[0] + first[2]) / 2 - 500) < 30


def test_tesseract_normalizes_text_height_for_large_and_small_glyphs(tesseract: TesseractEngine) -> None:
    # 150 px headline and 16 px small print: both far from the ~30 px tesseract reads best
    big = tesseract.read(banner(["一周瘦10斤"], (1200, 300), font_size=150))
    small = tesseract.read(banner(["药到病除 无副作用"], (400, 60), font_size=16))
    assert "一周瘦10斤" in compact(big)
    assert "药到病除" in compact(small)


def test_tesseract_reads_light_text_on_colour(tesseract: TesseractEngine) -> None:
    ocr = tesseract.read(banner(["全网最低价"], (800, 200), fg="white", bg="#c81e1e"))
    assert "全网最低价" in compact(ocr)


def test_transparent_png_is_read_on_white(tesseract: TesseractEngine) -> None:
    image = Image.open(io.BytesIO(banner(["药到病除"], (600, 200)))).convert("RGBA")
    # black text on a fully transparent background: the text lives in the alpha channel
    alpha = image.convert("L").point(lambda v: 255 - v)
    clear = Image.new("RGBA", image.size, (0, 0, 0, 0))
    clear.putalpha(alpha)
    out = io.BytesIO()
    clear.save(out, "PNG")
    assert "药到病除" in compact(tesseract.read(out.getvalue()))


def test_no_spaces_between_cjk_characters(tesseract: TesseractEngine) -> None:
    # tesseract returns 保湿 / 补水 / 深层 / 清洁 as separate words; only the Latin space is real
    ocr = tesseract.read(banner(["保湿补水 深层清洁", "wx: shop2026"], (800, 300)))
    assert ocr.lines[0].text == "保湿补水深层清洁"
    assert ocr.lines[1].text == "wx: shop2026"
    assert _join_words(["7", "天", "美白", "RAW", "NO.1", "销量"]) == "7天美白RAW NO.1销量"


def test_blank_image_reads_nothing(tesseract: TesseractEngine) -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, "PNG")
    assert tesseract.read(out.getvalue()).lines == ()


@pytest.mark.parametrize("blob, message", [
    (b"this is not an image", "is not an image"),
    (LOWEST[:200], "damaged image"),
    (b"", "is not an image"),
])
def test_bad_bytes_raise_unreadable_image(tesseract: TesseractEngine, blob: bytes, message: str) -> None:
    with pytest.raises(UnreadableImage, match=message):
        tesseract.read(blob)


def test_cache_answers_a_rescan_without_ocr(tmp_path: Path, tesseract: TesseractEngine) -> None:
    cached = CachedEngine(tesseract, tmp_path / "ocr")
    first = cached.read(LOWEST)
    assert len(list((tmp_path / "ocr").rglob("*.json"))) == 1

    class Refuses:
        name = "tesseract"
        tag = tesseract.tag

        def read(self, image: bytes) -> OcrText:
            raise AssertionError("OCR ran again")

    # a new process: nothing in memory, the disk entry answers
    again = CachedEngine(Refuses(), tmp_path / "ocr")
    assert again.read(LOWEST) == first
    # another engine (another tag) does not share entries
    other = CachedEngine(tesseract, tmp_path / "ocr")
    assert other.key(LOWEST) == cached.key(LOWEST) != CachedEngine(_Tagged("rapidocr-x"), None).key(LOWEST)


class _Tagged:
    name = "rapidocr"

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def read(self, image: bytes) -> OcrText:
        raise AssertionError("not called")


def test_damaged_cache_entry_is_read_again(tmp_path: Path, tesseract: TesseractEngine) -> None:
    cached = CachedEngine(tesseract, tmp_path)
    first = cached.read(LOWEST)
    entry = next(tmp_path.rglob("*.json"))
    entry.write_text("{not json", encoding="utf-8")
    assert CachedEngine(tesseract, tmp_path).read(LOWEST) == first


def test_missing_tesseract_language_or_binary_is_ocr_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    class Klingon(TesseractEngine):
        LANG = "chi_sim+tlh"

    with pytest.raises(OcrUnavailable, match="no language data for tlh"):
        Klingon()
    import pytesseract  # type: ignore[import-untyped]

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(OcrUnavailable, match="tesseract-ocr"):
        TesseractEngine()


def test_make_engine_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SANSHEN_CACHE_DIR", str(tmp_path))
    engine = make_engine("tesseract")
    assert engine.name == "tesseract" and isinstance(engine, CachedEngine)
    assert engine.folder == tmp_path / "ocr"
    with pytest.raises(OcrUnavailable, match="turned off"):
        make_engine("none")
    with pytest.raises(OcrUnavailable, match="unknown OCR engine"):
        make_engine("easyocr")
    import importlib.util

    expected = "rapidocr" if importlib.util.find_spec("rapidocr_onnxruntime") else "tesseract"
    assert make_engine("auto", cache_dir=False).name == expected


def test_linter_lints_image_text_with_bboxes(make_linter: LinterFactory, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANSHEN_CACHE_DIR", str(tmp_path / "cache"))
    from conftest import ABSOLUTE_PACK

    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(LOWEST)
    linter = make_linter({"absolute": ABSOLUTE_PACK}, ocr="tesseract")
    report = linter.check({"id": "SKU-1", "title": "保温杯", "images": [
        {"path": "img/a.png"}, {"data": base64.b64encode(banner(["温和配方"])).decode()}]}, base_dir=tmp_path)
    [finding] = report.findings
    assert (finding.field, finding.text, finding.rule) == ("images[0]", "全网最低价", "absolute.zui")
    assert report.ocr is not None and report.ocr["images[0]"][finding.start:finding.end] == "全网最低价"
    assert finding.bbox is not None and inside(finding.bbox, (1000, 350))


def test_bad_image_is_an_input_error_naming_record_and_field(make_linter: LinterFactory) -> None:
    from conftest import ABSOLUTE_PACK

    linter = make_linter({"absolute": ABSOLUTE_PACK}, ocr=make_engine("tesseract", cache_dir=False))
    listing = {"id": "SKU-9", "images": [{"data": base64.b64encode(LOWEST).decode()},
                                         {"data": base64.b64encode(LOWEST[:300]).decode()}]}
    with pytest.raises(InputError) as caught:
        linter.check(listing)
    assert (caught.value.record, caught.value.key) == ("SKU-9", "images[1]")
    assert "damaged image" in str(caught.value)


def test_rapidocr_reads_the_banner_with_boxes() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    ocr = RapidOcrEngine().read(LOWEST)
    assert [line.text for line in ocr.lines] == ["全网最低价", "工厂直供"]
    assert all(inside(line.bbox, (1000, 350)) for line in ocr.lines)


def test_rapidocr_reads_tall_detail_images_in_tiles() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from PIL import ImageDraw, ImageFont

    # 750 x 4000: tiles of 1500 px overlapping by 225; the second line straddles the first tile's edge
    image = Image.new("RGB", (750, 4000), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 40)
    for y, text in ((100, "全网最低价"), (1478, "一周瘦10斤"), (3900, "加微信领券")):
        draw.text((120, y), text, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    ocr = RapidOcrEngine().read(out.getvalue())
    assert [line.text for line in ocr.lines] == ["全网最低价", "一周瘦10斤", "加微信领券"]
    assert all(inside(line.bbox, (750, 4000)) for line in ocr.lines)
    assert ocr.lines[1].bbox[1] < 1500 < ocr.lines[1].bbox[3]


def test_texture_is_not_read_as_text(tesseract: TesseractEngine) -> None:
    import random

    from PIL import ImageDraw, ImageFont

    # bands of ink that are not glyphs (a zigzag rule, speckle): tesseract reads them as Latin noise
    # at low confidence, and those readings are dropped
    image = Image.new("RGB", (900, 420), "white")
    draw = ImageDraw.Draw(image)
    draw.text((150, 40), "纯天然无副作用", font=ImageFont.truetype(str(FONT), 64), fill="black")
    draw.line([(x, 180 if (x // 10) % 2 else 250) for x in range(100, 800, 10)], fill="black", width=2)
    rnd = random.Random(7)
    for _ in range(3000):
        draw.point((rnd.randrange(100, 800), rnd.randrange(300, 370)), fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    assert [line.text for line in tesseract.read(out.getvalue()).lines] == ["纯天然无副作用"]
