"""What fires on real, nearly all clean e-commerce text (../shared/realtext): the false-positive check.

usage: python scripts/realtext_report.py [REALTEXT_DIR] [--show RULE] [--top N]

Each line is linted as a listing title (titles, queries) or detail (ad copy). Prints, per corpus,
the share of lines with a warning-or-worse finding and the rules that fire most. Quote counts and
rates from it, never the lines themselves (the corpora are measurement data, not product content).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from linter import Context, Linter

CORPORA = {
    "taobao_titles.txt": "title",
    "jd_titles_gaiic2022_sample.txt": "title",
    "taobao_search_queries.txt": "title",
    "advertisegen_copy.txt": "detail",
}
COUNTED = ("warning", "error", "critical")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared" / "realtext"))
    parser.add_argument("--show", help="print the lines on which this rule id fires (local inspection only)")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--config", help="rules.toml to use instead of the packaged defaults")
    args = parser.parse_args()
    folder = Path(args.folder)
    if not folder.is_dir():
        sys.exit(f"{folder}: not a folder")
    linter = Linter.from_config(args.config, ocr="none") if args.config else Linter(ocr="none")
    context = Context("general", "listing")
    print(f"{'corpus':34}{'lines':>8}{'flagged':>9}{'share':>8}  top rules (warning+)")
    for name, field in CORPORA.items():
        path = folder / name
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        rules: Counter[str] = Counter()
        flagged = 0
        for line in lines:
            fired = {f.rule for f in linter.check_text(line, field, context) if f.severity in COUNTED}
            flagged += bool(fired)
            rules.update(fired)
            if args.show and args.show in fired:
                print(f"  [{args.show}] {line}")
        top = ", ".join(f"{rule} {count}" for rule, count in rules.most_common(args.top))
        print(f"{name:34}{len(lines):8}{flagged:9}{flagged / max(1, len(lines)):8.2%}  {top}")


if __name__ == "__main__":
    main()
