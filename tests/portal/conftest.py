"""Portal test helpers: the live server's pages read as HTML; Chromium comes from tests/auth's browser test
and the OAuth helpers (fixtures `oauth`, `browser`) from tests/conftest.py."""
from __future__ import annotations

import html
import re

from tests.auth.test_oauth_browser import CHROMEDRIVER, CHROMIUM, SCREENSHOTS, chromium  # noqa: F401


def snippets(page_html: str) -> dict[str, list[str]]:
    """The home page's code snippets by language ("shell", "python"), unescaped, in page order."""
    found: dict[str, list[str]] = {}
    for language, code in re.findall(r'<pre class="code" data-language="(\w+)"><code>(.*?)</code></pre>',
                                     page_html, re.S):
        found.setdefault(language, []).append(html.unescape(code))
    return found


def csrf_field(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)
