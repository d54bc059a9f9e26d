"""What each step's observation must show, the same for every client: one check per step name.

A check raises AssertionError with a one-line reason. `Expected` holds what is true of the flow's
beneficiary on the flow's API version, taken from the dataset files and the server's base URL.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from support.oauth_flow import query_of
from tests.smart.observations import Observation

DEFAULT_PAGE_SIZE = 10  # `_count` when a client sends none (BB2's default)


@dataclass(frozen=True, slots=True)
class Expected:
    base_url: str
    version: int
    patient_id: str        # the beneficiary's id on this version
    v2_patient_id: str
    eob_ids: frozenset[str]

    def patient_named(self, patient_id: str | None) -> str:
        """How a patient id compares with the expected one, for a message."""
        if self.version != 2 and patient_id == self.v2_patient_id:
            return f"{patient_id!r}, the beneficiary's v2 id (v{self.version} is {self.patient_id!r})"
        return f"{patient_id!r} (expected {self.patient_id!r})"


def discovery(seen: Observation, expected: Expected) -> None:
    prefix = f"{expected.base_url}/v{expected.version}/o/"
    for key, name in (("authorize_url", "authorize"), ("token_url", "token")):
        assert (seen[key] or "").startswith(prefix + name), (
            f"the {name} endpoint found is {seen[key]!r}, not this version's {prefix}{name}")
    if "pkce_methods" in seen:  # client-js sends PKCE only when the server declares S256
        assert "S256" in (seen["pkce_methods"] or []), (
            f"no S256 among the code_challenge_methods it found ({seen['pkce_methods']}): it will send no PKCE")


def authorize(seen: Observation, expected: Expected) -> None:
    sent, callback = query_of(seen["url"]), seen["callback"]
    path = urlsplit(seen["url"]).path.rstrip("/")
    assert path == f"/v{expected.version}/o/authorize", f"the client sent the person to {seen['url']}"
    assert sent.get("code_challenge_method") == "S256" and sent.get("code_challenge"), (
        f"the authorize URL carries no S256 PKCE challenge: {seen['url']}")
    assert "error" not in callback and callback.get("code"), f"the callback carries no code: {callback}"
    assert callback.get("state") == sent.get("state"), f"state {callback.get('state')!r} ≠ {sent.get('state')!r}"


def token(seen: Observation, expected: Expected) -> None:
    assert seen["patient"] == expected.patient_id, f"the token names patient {expected.patient_named(seen['patient'])}"
    assert seen["refresh_token"], "no refresh_token in the token response"


def patient_read(seen: Observation, expected: Expected) -> None:
    assert seen["id"] == seen["asked"], f"reading Patient/{seen['asked']} returned Patient {seen['id']!r}"


def eob_pages(seen: Observation, expected: Expected) -> None:
    ids, want = seen["ids"], expected.eob_ids
    assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} EOBs came twice over {seen['pages']} pages"
    assert set(ids) == want, (f"{len(ids)} EOBs over {seen['pages']} pages; the dataset has {len(want)} "
                              f"(missing {sorted(want - set(ids))[:3]}, extra {sorted(set(ids) - want)[:3]})")
    assert seen["total"] == len(want), f"Bundle.total is {seen['total']}, the dataset has {len(want)}"
    pages = math.ceil(len(want) / DEFAULT_PAGE_SIZE)
    assert seen["pages"] == pages, f"{seen['pages']} pages, expected {pages} of {DEFAULT_PAGE_SIZE}"
    assert seen["patients"] == [f"Patient/{expected.patient_id}"], f"EOBs refer to {seen['patients']}"


def userinfo(seen: Observation, expected: Expected) -> None:
    assert seen["sub"] == seen["patient"] == expected.patient_id, (
        f"userinfo sub {seen['sub']!r}, patient {expected.patient_named(seen['patient'])}")


def refresh(seen: Observation, expected: Expected) -> None:
    assert seen["new_access_token"], "the refresh gave back the same access token"
    assert seen["read_after"], "the read with the refreshed token returned no resource"


def patient_search(seen: Observation, expected: Expected) -> None:
    assert seen["entries"] == [["Patient", expected.patient_id]], f"the Patient search returned {seen['entries']}"


def coverage(seen: Observation, expected: Expected) -> None:
    assert seen["total"] and {kind for kind, _ in seen["entries"]} == {"Coverage"}, f"Coverage search: {seen}"
    assert seen["beneficiaries"] == [f"Patient/{expected.patient_id}"], f"Coverage for {seen['beneficiaries']}"


def custom_data(seen: Observation, expected: Expected) -> None:
    assert seen["id"] == seen["asked"], f"reading Coverage/{seen['asked']} returned Coverage {seen['id']!r}"


def insurance_card(seen: Observation, expected: Expected) -> None:
    kinds = {kind for kind, _ in seen["entries"]}
    assert ["Patient", expected.patient_id] in seen["entries"] and "Coverage" in kinds, (
        f"the insurance card Bundle holds {seen['entries']}")


CHECKS = {check.__name__: check for check in (discovery, authorize, token, patient_read, eob_pages, userinfo,
                                              refresh, patient_search, coverage, custom_data, insurance_card)}
