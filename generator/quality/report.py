"""`medisynth stats DIR --html FILE`: the realism report as one self-contained HTML page with plots.

Every plot is a matplotlib figure (Agg backend, no display needed) embedded as a base64 PNG `data:` URI,
so the file opens offline and can be mailed or attached to CI runs. `PLOTS` lists the figures in page
order; each builder takes the `StatsReport` and draws on a fresh figure.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import replace
from pathlib import Path
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from dataset_contract import CLAIM_TYPES
from generator.quality.stats import PAYMENT_BINS_PER_DECADE, StatsReport, fmt_value

OBSERVED, TARGET, FEMALE, MALE = "#0050d8", "#a9aeb1", "#c05600", "#162e51"
STATES_SHOWN = 25


def _compare_bars(ax, rows, title: str, percent: bool = True) -> None:
    """Horizontal bars: each row's observed value beside its target."""
    rows = list(rows)[::-1]
    y = range(len(rows))
    scale = 100 if percent else 1
    ax.barh([i + 0.2 for i in y], [(r.observed or 0) * scale for r in rows], 0.4, color=OBSERVED, label="observed")
    ax.barh([i - 0.2 for i in y], [(r.target or 0) * scale for r in rows], 0.4, color=TARGET, label="target")
    ax.set_yticks(list(y), [r.name for r in rows])
    ax.set_xlabel("% of beneficiaries" if percent else "value")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)


def _group(report: StatsReport, group: str):
    return [r for r in report.rows if r.group == group]


def age_pyramid(report: StatsReport, fig: Figure) -> None:
    ax = fig.subplots()
    bands = sorted({band for _, band in report.age_sex})
    female = [report.age_sex.get(("female", b), 0) for b in bands]
    male = [-report.age_sex.get(("male", b), 0) for b in bands]
    ax.barh(range(len(bands)), male, color=MALE, label="male")
    ax.barh(range(len(bands)), female, color=FEMALE, label="female")
    ax.set_yticks(range(len(bands)), [f"{b}–{b + 4}" if b < 95 else "95+" for b in bands])
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.set_xlabel("beneficiaries")
    ax.set_title("Age pyramid (age at the end of the period)")
    ax.legend(frameon=False)


def sex_and_race(report: StatsReport, fig: Figure) -> None:
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    female = report.row("female share")
    male = replace(female, name="male share", target=1 - female.target,
                   observed=None if female.observed is None else 1 - female.observed)
    _compare_bars(left, [female, male], "Sex")
    _compare_bars(right, _group(report, "race (RTI code)"), "Race (RTI code: 1 White, 2 Black, 4 Asian/PI, "
                                                            "5 Hispanic, 6 AI/AN)")


def age_bands(report: StatsReport, fig: Figure) -> None:
    _compare_bars(fig.subplots(), _group(report, "age band (65+)") + _group(report, "population")[1:],
                  "Age bands among 65+, and population shares")


def states(report: StatsReport, fig: Figure) -> None:
    ax = fig.subplots()
    top = report.states.most_common(STATES_SHOWN)
    ax.bar([s for s, _ in top], [n / report.beneficiaries * 100 for _, n in top], color=OBSERVED)
    ax.set_ylabel("% of beneficiaries")
    others = sum(report.states.values()) - sum(n for _, n in top)
    ax.set_title(f"Beneficiaries by state (top {len(top)}; {others:,} in {max(len(report.states) - len(top), 0)} "
                 "other states)")
    ax.tick_params(axis="x", labelrotation=90)


def conditions(report: StatsReport, fig: Figure) -> None:
    _compare_bars(fig.subplots(), _group(report, "condition prevalence (CCW rule, FFS)"),
                  "Chronic condition prevalence (CCW rule, fee-for-service) vs target")


def multimorbidity(report: StatsReport, fig: Figure) -> None:
    _compare_bars(fig.subplots(), _group(report, "conditions per FFS beneficiary (information)"),
                  "Chronic conditions per FFS beneficiary vs the national shares")


def utilization(report: StatsReport, fig: Figure) -> None:
    ax = fig.subplots()
    rows = [r for r in _group(report, "utilization") if r.target][::-1]
    ratios = [(r.observed or 0) / r.target for r in rows]
    ax.barh(range(len(rows)), ratios,
            color=[OBSERVED if r.ok else "#b50909" for r in rows], zorder=2)
    ax.axvspan(0.7, 1.3, color=TARGET, alpha=0.3, label="tolerance (±30%)", zorder=0)
    ax.axvline(1, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)), [r.name for r in rows])
    ax.set_xlabel("observed ÷ target")
    ax.set_title("Utilization rates against the profile")
    ax.legend(frameon=False)


def claims_per_beneficiary(report: StatsReport, fig: Figure) -> None:
    axes = fig.subplots(2, 4).flat
    for ax, claim_type in zip(axes, CLAIM_TYPES):
        hist = report.claims_per_bene_hist.get(claim_type, {})
        counts = sorted(hist)
        ax.bar(counts, [hist[c] for c in counts], width=1.0, color=OBSERVED)
        ax.set_title(f"{claim_type} (mean {report.claims_per_bene_by_type.get(claim_type, 0):.2f})", fontsize=10)
        ax.set_xlabel("claims per beneficiary", fontsize=8)
    fig.suptitle("Claims per beneficiary by claim type (beneficiaries per count)")


def payments(report: StatsReport, fig: Figure) -> None:
    axes = fig.subplots(2, 4).flat
    for ax, claim_type in zip(axes, CLAIM_TYPES):
        bins = report.payment_bins.get(claim_type, {})
        lows = sorted(bins)
        edges = [10 ** (b / PAYMENT_BINS_PER_DECADE) if b >= 0 else 0.1 for b in lows]
        ax.bar(edges, [bins[b] for b in lows], width=[e * 0.55 for e in edges], align="edge", color=OBSERVED)
        ax.set_xscale("log")
        ax.set_xlim(0.07, 2e5)
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, numticks=7))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(f"{claim_type} (mean ${report.payment_by_type.get(claim_type, 0):,.0f})", fontsize=10)
        ax.set_xlabel("Medicare payment, $", fontsize=8)
    fig.suptitle("Payment per claim by claim type (claims per log-scale bin; under \\$1, including \\$0, at the left)")


def top_codes(report: StatsReport, fig: Figure) -> None:
    axes = fig.subplots(1, 3)
    for ax, (title, top) in zip(axes, (("DRGs", report.top_drgs), ("HCPCS", report.top_hcpcs),
                                       ("drugs (NDC)", report.top_drugs))):
        top = top[::-1]
        ax.barh(range(len(top)), [n for _, _, n in top], color=OBSERVED)
        ax.set_yticks(range(len(top)), [f"{code} {display[:30]}" for code, display, _ in top], fontsize=8)
        ax.set_title(f"Top {title}")
        ax.set_xlabel("claims" if title != "HCPCS" else "lines")


PLOTS: tuple[tuple[str, Callable[[StatsReport, Figure], None], tuple[float, float]], ...] = (
    ("Age pyramid", age_pyramid, (8, 5)),
    ("Sex and race", sex_and_race, (11, 4)),
    ("Age bands and population shares", age_bands, (9, 5)),
    ("Beneficiaries by state", states, (11, 4)),
    ("Condition prevalence vs target", conditions, (9, 8)),
    ("Multimorbidity", multimorbidity, (8, 3.5)),
    ("Utilization vs target", utilization, (9, 4.5)),
    ("Claims per beneficiary by type", claims_per_beneficiary, (13, 6)),
    ("Payment distributions", payments, (13, 6)),
    ("Top DRGs, HCPCS and drugs", top_codes, (16, 5)),
)


def png_data_uri(report: StatsReport, draw: Callable[[StatsReport, Figure], None], size) -> str:
    fig = plt.figure(figsize=size, dpi=96, layout="constrained")
    try:
        draw(report, fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


STYLE = """body{font:15px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#f1f3f6;margin:0}
header{background:#112e51;color:#fff;padding:1rem 2rem}header h1{margin:0;font-size:1.4rem}
main{max-width:72rem;margin:1.5rem auto;padding:0 1.5rem}section{background:#fff;border-radius:6px;
box-shadow:0 1px 4px rgba(0,0,0,.15);padding:1rem 1.5rem;margin-bottom:1.25rem}h2{font-size:1.15rem}
img{max-width:100%;height:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{padding:.3rem .6rem;border-bottom:1px solid #dfe1e2;text-align:left}.num{text-align:right}
.bad{color:#b50909;font-weight:600}.good{color:#00a91c}nav a{margin-right:1rem}"""


def _table(report: StatsReport) -> str:
    rows = []
    for r in report.rows:
        mark = "" if r.ok is None else '<span class="good">ok</span>' if r.ok else '<span class="bad">✗</span>'
        rows.append(f"<tr><td>{html.escape(r.group)}</td><td>{html.escape(r.name)}</td>"
                    f"<td class=num>{fmt_value(r.target, r.percent)}</td>"
                    f"<td class=num>{fmt_value(r.observed, r.percent)}</td><td>{r.tolerance}</td><td>{mark}</td></tr>")
    return ("<table><thead><tr><th>group</th><th>metric</th><th class=num>target</th><th class=num>observed</th>"
            f"<th>tolerance</th><th>ok</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def render_report(report: StatsReport) -> str:
    """The whole page as a string."""
    ds = report.dataset
    checked = [r for r in report.rows if r.ok is not None]
    slugs = [title.lower().replace(" ", "-").replace(",", "") for title, _, _ in PLOTS]
    figures = "".join(
        f'<section id="{slug}"><h2>{html.escape(title)}</h2><img alt="{html.escape(title)}" '
        f'src="{png_data_uri(report, draw, size)}"></section>'
        for slug, (title, draw, size) in zip(slugs, PLOTS))
    nav = "".join(f'<a href="#{slug}">{html.escape(title)}</a>' for slug, (title, _, _) in zip(slugs, PLOTS))
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Realism report · "
            f"{html.escape(ds.directory.name)}</title><style>{STYLE}</style></head><body>"
            f"<header><h1>Realism report: {html.escape(str(ds.directory))}</h1>"
            f"<p>profile {html.escape(report.profile_name)} · {report.beneficiaries:,} beneficiaries · period "
            f"{ds.period_start} to {ds.period_end} · {report.ffs_years:,.1f} FFS beneficiary-years · "
            f"{sum(r.ok for r in checked)} of {len(checked)} checked metrics within tolerance</p></header><main>"
            f"<section><nav>{nav}<a href=\"#table\">Table</a></nav></section>{figures}"
            f'<section id="table"><h2>All metrics</h2>{_table(report)}</section></main></body></html>\n')


def write_report(report: StatsReport, path: Path) -> None:
    path.write_text(render_report(report), encoding="utf-8")
