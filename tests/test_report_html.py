"""The HTML realism report (`medisynth stats DIR --html FILE`): one self-contained page, every plot embedded."""
from __future__ import annotations

import base64
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from generator.quality.report import PLOTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parent.parent
MIN_PLOT_BYTES = 5000  # an empty 96-dpi figure is ~2 kB; every plot here draws bars, axes and labels


class _Page(HTMLParser):
    """The page's images and every URL it would fetch (src/href)."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.fetched: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith(("#", "data:")):
                self.fetched.append(attrs[name])


def test_stats_html_embeds_every_plot(dataset_dir, tmp_path):
    out = tmp_path / "report.html"
    result = subprocess.run([sys.executable, "cli.py", "stats", str(dataset_dir), "--html", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode in (0, 1), result.stderr  # 1: some metric off target on a 40-person dataset
    assert "metric" in result.stdout and f"Wrote {out}" in result.stdout  # the text table stays

    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert page.fetched == [], "the report must open offline: nothing to fetch"
    assert [img["alt"] for img in page.images] == [title for title, _, _ in PLOTS]
    for img in page.images:
        match = re.fullmatch(r"data:image/png;base64,([A-Za-z0-9+/=]+)", img["src"])
        assert match, f"{img['alt']}: not an embedded PNG"
        png = base64.b64decode(match.group(1))
        assert png.startswith(PNG_SIGNATURE) and len(png) > MIN_PLOT_BYTES, img["alt"]
    assert "condition prevalence (CCW rule, FFS)" in out.read_text(encoding="utf-8")
