"""One self-contained HTML report for the three reviewers: findings grouped by stage (运营初审 ops,
主管复审 supervisor, 法务终审 legal), then by listing, each with the hit highlighted in its field,
the legal basis and the suggestion, and the listing's score and verdict.

Everything is inline (CSS, no scripts, fonts or images from the network) so the file can be mailed
or attached to a ticket; every piece of listing text is HTML-escaped.
"""
from __future__ import annotations

import datetime as dt
from html import escape
from typing import IO

from .. import __version__
from .._models import Finding
from .._results import Result, Tally
from .._rules import STAGES

STAGE_TITLES = {"ops": "运营初审 · ops", "supervisor": "主管复审 · supervisor", "legal": "法务终审 · legal"}
VERDICT_TITLES = {"pass": "通过 pass", "review": "待复审 review", "block": "拦截 block"}
CONTEXT = 60  # characters of the field shown on each side of a hit

CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa;
  --critical: #82071e; --error: #cf222e; --warning: #9a6700; --info: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 15px/1.6 system-ui, "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", "Source Han Sans SC", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 12px; padding-bottom: 6px;
  border-bottom: 2px solid var(--line); } h3 { font-size: 16px; margin: 0; }
.meta, .source { color: var(--muted); font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; background: var(--bg); min-width: 120px; }
.card b { display: block; font-size: 22px; }
nav a { margin-right: 16px; }
.listing { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; overflow: hidden; }
.listing > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px; padding: 10px 14px;
  background: var(--bg); border-bottom: 1px solid var(--line); }
.badge { border-radius: 12px; padding: 1px 10px; font-size: 13px; font-weight: 600; color: #fff; }
.verdict-block { background: var(--critical); } .verdict-review { background: var(--warning); }
.verdict-pass { background: #1a7f37; }
.score { font-weight: 600; }
.finding { padding: 10px 14px; border-top: 1px solid var(--line); border-left: 4px solid var(--info); }
.finding:first-of-type { border-top: 0; }
.sev-critical { border-left-color: var(--critical); } .sev-error { border-left-color: var(--error); }
.sev-warning { border-left-color: var(--warning); } .sev-info { border-left-color: var(--info); }
.rule { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-weight: 600; }
.sev { font-size: 12px; text-transform: uppercase; font-weight: 700; }
.sev-critical .sev { color: var(--critical); } .sev-error .sev { color: var(--error); }
.sev-warning .sev { color: var(--warning); } .sev-info .sev { color: var(--info); }
.field { margin: 6px 0; padding: 6px 10px; background: var(--bg); border-radius: 6px; white-space: pre-wrap;
  word-break: break-all; }
mark { background: #ffd8d3; color: var(--critical); font-weight: 700; padding: 0 2px; border-radius: 3px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 0; }
dt { color: var(--muted); } dd { margin: 0; }
.errors li { color: var(--error); }
.empty { color: var(--muted); font-style: italic; }
"""


def _excerpt(value: str, finding: Finding) -> str:
    """The hit in its context, escaped, with the hit itself in <mark>."""
    start, end = finding.start, finding.end
    if not (0 <= start <= end <= len(value)) or value[start:end] != finding.text:
        return f"<mark>{escape(finding.text)}</mark>"
    left = max(0, start - CONTEXT)
    right = min(len(value), end + CONTEXT)
    return ("…" * (left > 0) + escape(value[left:start]) + f"<mark>{escape(value[start:end])}</mark>"
            + escape(value[end:right]) + "…" * (right < len(value)))


def _field_value(result: Result, field: str) -> str | None:
    if field.startswith("images["):
        return (result.report.ocr or {}).get(field) if result.report is not None else None
    value = (result.record.listing or {}).get(field)
    return value if isinstance(value, str) else None


class HtmlFormatter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.results: list[Result] = []

    def write(self, result: Result) -> None:
        if result.report is None or result.report.findings or result.notices:
            self.results.append(result)

    def _finding(self, result: Result, finding: Finding) -> str:
        position = result.position(finding)
        where = (f"第 {position[0]} 行 第 {position[1]} 列 · line {position[0]}, column {position[1]}"
                 if position is not None else f"{finding.field} [{finding.start}:{finding.end}]")
        value = _field_value(result, finding.field)
        if finding.field == "price" or not finding.text:
            shown = ""
        else:
            shown = f'<div class="field">{_excerpt(value or "", finding)}</div>'
        rows = [("问题 message", finding.message), ("依据 basis", finding.basis),
                ("建议 suggestion", finding.suggestion)]
        details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows if v)
        return (f'<div class="finding sev-{escape(finding.severity)}"><div><span class="rule">'
                f'{escape(finding.rule)}</span> <span class="sev">{escape(finding.severity)}</span> '
                f'<span class="meta">{escape(finding.family)} · {escape(where)} · score {finding.score}</span></div>'
                f"{shown}<dl>{details}</dl></div>")

    def _listing(self, result: Result, findings: list[Finding]) -> str:
        report = result.report
        assert report is not None
        verdict = escape(report.verdict)
        source = ("" if result.record.label == result.listing_id
                  else f'<span class="source">{escape(result.record.label)}</span>')
        head = (f'<header><h3>{escape(result.listing_id)}</h3>{source}<span class="badge verdict-{verdict}">'
                f'{escape(VERDICT_TITLES.get(report.verdict, verdict))}</span><span class="score">score '
                f'{report.score}</span><span class="meta">流转至 routed to {escape(report.stage)}</span></header>')
        return f'<article class="listing">{head}{"".join(self._finding(result, f) for f in findings)}</article>'

    def _stage(self, stage: str) -> str:
        cards = []
        count = 0
        for result in self.results:
            if result.report is None:
                continue
            findings = [f for f in result.report.findings if f.stage == stage]
            if findings:
                count += len(findings)
                cards.append(self._listing(result, findings))
        body = "".join(cards) or '<p class="empty">没有需要本环节审核的问题 · nothing for this stage</p>'
        return (f'<section id="stage-{stage}"><h2>{escape(STAGE_TITLES[stage])} — {count} finding'
                f'{"s" * (count != 1)} in {len(cards)} listing{"s" * (len(cards) != 1)}</h2>{body}</section>')

    def _notices(self) -> str:
        items = [f"<li>{escape(r.record.label)}:{n.line}:{n.column} <span class=\"rule\">{escape(n.rule)}</span> "
                 f"{escape(n.message)}</li>" for r in self.results for n in r.notices]
        if not items:
            return ""
        return f'<section id="notices"><h2>抑制注释 · suppression notices</h2><ul>{"".join(items)}</ul></section>'

    def _errors(self) -> str:
        items = [f"<li>{escape(r.record.label)}: {escape(r.error or '')}</li>" for r in self.results
                 if r.report is None]
        if not items:
            return ""
        return (f'<section id="errors"><h2>无法检查的记录 · records that could not be checked</h2>'
                f'<ul class="errors">{"".join(items)}</ul></section>')

    def close(self, tally: Tally) -> None:
        verdicts = {"block": 0, "review": 0, "pass": 0}
        for result in self.results:
            if result.report is not None and result.report.findings:
                verdicts[result.report.verdict] = verdicts.get(result.report.verdict, 0) + 1
        checked = tally.records - tally.errors
        cards = [("listings checked", checked), ("with findings", tally.flagged), ("findings", tally.findings),
                 ("拦截 block", verdicts["block"]), ("待复审 review", verdicts["review"]),
                 ("could not be checked", tally.errors)]
        cards += [(STAGE_TITLES[s], tally.stages[s]) for s in STAGES]
        card_html = "".join(f'<div class="card"><b>{n}</b>{escape(label)}</div>' for label, n in cards)
        nav = "".join(f'<a href="#stage-{s}">{escape(STAGE_TITLES[s])}</a>' for s in STAGES)
        if tally.errors:
            nav += '<a href="#errors">errors</a>'
        generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        rules_versions = sorted({r.report.rules_version for r in self.results if r.report is not None})
        page = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>三审 sanshen 审核报告</title><style>{CSS}</style></head><body>"
            f"<header><h1>三审 sanshen 审核报告 · reviewer report</h1><div class=\"meta\">generated {escape(generated)}"
            f" by sanshen {escape(__version__)}"
            + (f" · rules {escape(', '.join(rules_versions))}" if rules_versions else "")
            + f'</div><div class="cards">{card_html}</div><nav>{nav}</nav></header><main>'
            + "".join(self._stage(s) for s in STAGES) + self._notices() + self._errors()
            + "</main></body></html>\n"
        )
        self.stream.write(page.encode("utf-8"))
        self.stream.flush()
