"""`python tests/acceptance/report.py DIR`: issue 14's figures re-derived from a dataset's NDJSON alone (the
independent acceptance check in tests/acceptance/derive/), each beside its real range, in or out.

Exit 0 when every judged figure is in its range, 1 when one is out, 2 on bad input (one line). Figures that
depend on the dataset's size (vocabulary, distinct DRGs) are judged from 5,000 beneficiaries on.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))                 # derive/
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))             # dataset_contract

from dataset_contract import DatasetError, read_manifest
from derive import measure
from derive.ranges import JUDGED_AT, RANGES, SIZE_DEPENDENT


def _fmt(value: float | None, percent: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if percent else f"{value:,.2f}"


def render(directory, figures: dict[str, float | None] | None = None) -> tuple[str, int]:
    """The report's text and how many judged figures are out of range (`figures`: measured already)."""
    figures = measure(directory) if figures is None else figures
    size = read_manifest(directory).settings().beneficiaries
    lines = [f"issue 14 acceptance: {directory} ({size:,} beneficiaries), from the NDJSON alone", "",
             f"  {'figure':<46} {'value':>10}  {'real range':<21} {'':<4} source"]
    out = judged_count = 0
    for name, value in figures.items():
        low, high, percent, source = RANGES[name]
        judged = value is not None and (name not in SIZE_DEPENDENT or size >= JUDGED_AT)
        inside = judged and low - 1e-12 <= value <= high + 1e-12
        judged_count += judged
        out += judged and not inside
        mark = "in" if inside else "OUT" if judged else "n/a"
        span = f"{_fmt(low, percent)}–{_fmt(high, percent)}"
        lines.append(f"  {name:<46} {_fmt(value, percent):>10}  {span:<21} {mark:<4} {source}")
    lines += ["", f"  {judged_count - out} of {judged_count} judged figures in their real range"]
    return "\n".join(lines), out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/acceptance/report.py DIR  (a directory written by `medisynth generate`)",
              file=sys.stderr)
        return 2
    try:
        text, out = render(argv[0])
    except DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(text)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
