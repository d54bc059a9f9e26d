"""One observation per step of a client's flow: what the client got back, or the error it raised.

The Python clients record them with `Observations.step`; the JavaScript clients send the same shape from
tests/smart/js/flow.js. A report is `{step name: observation}`; an observation is a dict of what was seen
(ids, counts, URLs) or `{"error": "<the client's error, with the HTTP status and body behind it>"}`.
tests/smart/checks.py decides whether each observation passes.
"""
from __future__ import annotations

from collections.abc import Callable

Observation = dict
Report = dict[str, Observation]
BODY_CHARS = 400


def short_body(response) -> str:
    """A response's body on one line, cut to BODY_CHARS."""
    text = " ".join(response.text.split())
    return text if len(text) <= BODY_CHARS else text[:BODY_CHARS] + "…"


def describe(error: BaseException) -> str:
    """The error as one line: its type and message, plus the HTTP response behind it when there is one."""
    message = str(error).split("\n")[0] or repr(error)
    text = f"{type(error).__name__}: {message}"
    response = getattr(error, "response", None)
    if getattr(response, "status_code", None) is not None:
        text += f" — {response.request.method} {response.url} → {response.status_code}: {short_body(response)}"
    return text


class Observations:
    """A report filled step by step; a step that raises is recorded as its error."""

    def __init__(self, report: Report | None = None):
        self.report: Report = report if report is not None else {}

    def step(self, name: str, run: Callable[[], Observation]) -> Observation | None:
        """Run one step and record what it saw; None when it failed (the flow decides whether to go on)."""
        try:
            self.report[name] = run()
        except Exception as error:  # a client's failure, whatever its type, is this step's observation
            self.report[name] = {"error": describe(error)}
            return None
        return self.report[name]


class HttpStatusError(Exception):
    """A response the client handed back without raising (the SDK returns them as they are)."""

    def __init__(self, response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def ok_json(response) -> dict:
    """The JSON body of a 200 response; anything else raises, naming its status and body."""
    if response.status_code != 200:
        raise HttpStatusError(response)
    return response.json()
