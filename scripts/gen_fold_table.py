"""Generate linter/_fold_table.json: the 1:1 character fold used before matching.

One code point maps to one code point, so offsets survive folding unchanged. The table folds
full-width and compatibility forms (NFKC), case, traditional → simplified (OpenCC t2s, per
character), and homoglyphs/number styles used to dodge word filters. Characters that are
separators either way (punctuation, spaces, symbols) are left out: the matcher drops them anyway,
and leaving them out lets most texts skip folding entirely.

Run: python scripts/gen_fold_table.py   (needs the `opencc` package; the runtime does not)
"""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from linter._separators import is_separator_char, separator_ranges  # noqa: E402

# Look-alikes that NFKC leaves alone: Cyrillic/Greek capitals and small letters that read as Latin,
# dingbat and parenthesized digits, the plus sign emoji, financial 壹 for 一.
HOMOGLYPHS = {
    **dict(zip("АВЕКМНОРСТХУаеорсухіІј", "abekmhopctxyaeopcyxiij")),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνρτυχ", "abezhikmnoptyxoikvptux")),
    **{chr(0x2776 + i): str(i + 1) for i in range(9)},  # ❶..❾
    **{chr(0x2780 + i): str(i + 1) for i in range(9)},  # ➀..➈
    **{chr(0x278A + i): str(i + 1) for i in range(9)},  # ➊..➒
    **{chr(0x2474 + i): str(i + 1) for i in range(9)},  # ⑴..⑼
    **{chr(0x2488 + i): str(i + 1) for i in range(9)},  # ⒈..⒐
    "⓪": "0", "⓿": "0", "〇": "0", "➕": "+", "壹": "一", "弌": "一", "ℓ": "l",
}


def fold_char(ch: str, t2s: opencc.OpenCC) -> str:
    if ch in HOMOGLYPHS:
        return HOMOGLYPHS[ch]
    out = unicodedata.normalize("NFKC", ch).lower()
    if len(out) != 1:
        out = ch.lower() if len(ch.lower()) == 1 else ch
    simp = t2s.convert(out)
    if len(simp) == 1:
        out = simp
    return HOMOGLYPHS.get(out, out)


def main() -> None:
    t2s = opencc.OpenCC("t2s")
    table: dict[str, str] = {}
    ranges = [(0x41, 0x5B), (0x80, 0x3000), (0x3040, 0xD800), (0xF900, 0xFFF0), (0x1D400, 0x1D800),
              (0x20000, 0x2FA20)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            ch = chr(cp)
            if unicodedata.category(ch) in ("Cn", "Cs", "Co"):
                continue
            out = fold_char(ch, t2s)
            if out != ch and not (is_separator_char(ch) and is_separator_char(out)):
                table[ch] = out
    # Settle chains (薴 → 苧 → 苎): folding must be idempotent, fold(fold(x)) == fold(x).
    for ch, out in table.items():
        seen = {ch}
        while out in table and table[out] not in seen:
            seen.add(out)
            out = table[out]
        table[ch] = out
    target = ROOT / "linter" / "_fold_table.json"
    data = {"fold": table, "separators": separator_ranges()}
    target.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    print(f"wrote {len(table)} mappings to {target}")


if __name__ == "__main__":
    main()
