"""Benchmark catalogs: realistic listings built from ../shared/realtext/ when it is present (real
titles and real ad copy), a synthetic generator otherwise.

Shape, chosen to resemble a platform catalog: a title (a real title, half the time followed by a
real search query, as sellers stuff keywords), a detail page of ad-copy paragraphs in light HTML
(most pages short, a quarter long), some price and evidence objects and unknown nested keys, and
about 3% of listings with a violation spliced in. 20k listings come to roughly 80 MB.

The realtext lines are measurement input only (see its README): they are read at run time and
written only to the git-ignored bench/out/.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import orjson

from _common import OUT, ROOT

REALTEXT = ROOT.parent / "shared" / "realtext"
FORMAT_VERSION = 1  # bump when the generator changes, so cached catalogs are rebuilt
SEED = 20251124

# Violations to splice in, written here (not taken from realtext), so some listings have findings.
VIOLATIONS = ("全网最低价", "最好的", "销量第一", "加微信", "国家级", "根治", "明星同款", "顶级", "100%有效", "祖传秘方")
CATEGORIES = ("food", "health_food", "cosmetics", "3c", "apparel", "mother_baby", "medical_device", "home",
              "general")
EVIDENCE = ("organic_cert", "ccc_cert", "special_cosmetic_license", "patent_no", "brand_authorization")

# Common simplified characters, for the synthetic generator when realtext is absent.
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
          "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
          "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
          "气第向道命此变条只没结解问意建月公无系很情者立代想已通并提直题程展五果料象员位入常文总次品式活设及管特"
          "件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
          "队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更"
          "单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温")


@dataclass
class Corpus:
    source: str  # "realtext" or "synthetic"
    titles: list[str]
    queries: list[str]
    copy: list[str]


def _lines(name: str) -> list[str]:
    return [line for line in (REALTEXT / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def realtext_corpus() -> Corpus | None:
    needed = ("taobao_titles.txt", "jd_titles_gaiic2022_sample.txt", "taobao_search_queries.txt",
              "advertisegen_copy.txt")
    if not all((REALTEXT / name).is_file() for name in needed):
        return None
    return Corpus("realtext", _lines(needed[0]) + _lines(needed[1]), _lines(needed[2]), _lines(needed[3]))


def synthetic_corpus(rng: random.Random) -> Corpus:
    words = ["".join(rng.choices(COMMON, k=rng.randint(2, 4))) for _ in range(3000)]
    latin = ["2025新款", "XL", "500ml", "iPhone", "Type-C", "100g", "M码", "USB", "LED", "3D"]

    def sentence(lo: int, hi: int, sep: str) -> str:
        parts: list[str] = []
        target = rng.randint(lo, hi)
        while sum(map(len, parts)) < target:
            parts.append(rng.choice(latin) if rng.random() < 0.08 else rng.choice(words))
            if rng.random() < 0.2:
                parts.append(rng.choice(sep))
        return "".join(parts)

    return Corpus("synthetic",
                  titles=[sentence(12, 40, " ") for _ in range(5000)],
                  queries=[sentence(4, 12, " ") for _ in range(5000)],
                  copy=[sentence(60, 160, "，，。！、") + "。" for _ in range(1000)])


def _splice(text: str, term: str, rng: random.Random) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + term + text[at:]


def listings(n: int, corpus: Corpus, rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(n):
        title = rng.choice(corpus.titles)
        if rng.random() < 0.5:
            title += " " + rng.choice(corpus.queries)
        # most detail pages are a few paragraphs; a quarter are long pages
        paragraphs = rng.sample(corpus.copy, rng.randint(1, 6) if rng.random() < 0.75 else rng.randint(20, 60))
        detail = "".join(f"<p>{p}</p>" for p in paragraphs)
        if rng.random() < 0.3:
            detail += f'<p><img src="https://img.example.com/{i}.jpg" alt="详情图"></p>'
        detail = f'<div class="detail">{detail}</div>'
        if rng.random() < 0.03:
            if rng.random() < 0.5:
                title = _splice(title, rng.choice(VIOLATIONS), rng)
            else:
                detail = _splice(detail, rng.choice(VIOLATIONS), rng)
        item: dict[str, Any] = {"id": f"BENCH-{i:07d}", "category": rng.choice(CATEGORIES), "title": title,
                                "detail": detail, "shop": {"id": rng.randint(1, 5000), "tags": ["bench"]}}
        if rng.random() < 0.4:
            current = round(rng.uniform(9, 999), 2)
            item["price"] = {"current": current, "original": round(current * rng.uniform(1.0, 2.5), 2)}
            if rng.random() < 0.25:
                item["price"]["promo_start"] = "2025-11-11"
                item["price"]["history"] = [
                    {"date": f"2025-11-{d:02d}", "price": round(current * rng.uniform(0.9, 1.6), 2)} for d in range(1, 11)]
        if rng.random() < 0.1:
            item["evidence"] = {rng.choice(EVIDENCE): "on file"}
        yield item


def catalog(n: int, source: str = "auto") -> Path:
    """A JSONL catalog of `n` listings under bench/out/, built once and reused (same seed, same bytes)."""
    rng = random.Random(SEED)
    corpus = realtext_corpus() if source in ("auto", "realtext") else None
    if corpus is None:
        if source == "realtext":
            raise SystemExit(f"{REALTEXT} not found")
        corpus = synthetic_corpus(rng)
    path = OUT / f"catalog-{corpus.source}-{n}-v{FORMAT_VERSION}.jsonl"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            for item in listings(n, corpus, rng):
                handle.write(orjson.dumps(item) + b"\n")
        partial.rename(path)
    return path


def describe(path: Path) -> str:
    """`20,000 listings, 80.1 MB, 27.0 M chars (realtext)` for table headers."""
    data = path.read_bytes()
    lines = data.count(b"\n")
    chars = len(data.decode("utf-8"))
    source = path.name.split("-")[1]
    return f"{lines:,} listings, {len(data) / 1e6:.1f} MB, {chars / 1e6:.1f} M chars ({source})"
