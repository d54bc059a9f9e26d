"""Blue Button's scopes and how a granted scope is built from the request, the app and the consent.

`offline_access` (SMART) is granted when asked for, never by default: BB2 issues a refresh token with every
code exchange anyway, and SMART clients refresh only when the granted scope says they may."""
from __future__ import annotations

RESOURCES = ("Patient", "Coverage", "ExplanationOfBenefit")
ACCESS_SUFFIXES = ("read", "r", "s", "rs")
ALL_SCOPES = ("openid", "profile", "launch/patient",
              *(f"patient/{resource}.{suffix}" for resource in RESOURCES for suffix in ACCESS_SUFFIXES))
OFFLINE_ACCESS = "offline_access"
GRANTABLE = (*ALL_SCOPES, OFFLINE_ACCESS)  # in a granted scope's order
# What the "Personal Information" checkbox on the consent page covers.
DEMOGRAPHIC_SCOPES = frozenset({"profile"} | {f"patient/Patient.{suffix}" for suffix in ACCESS_SUFFIXES})


def app_scopes(demographics: bool) -> frozenset[str]:
    """The scopes an app may be granted: all of them, minus demographics when it does not ask for them."""
    return frozenset(ALL_SCOPES) - (frozenset() if demographics else DEMOGRAPHIC_SCOPES)


def allowed_scopes(requested: str | None, available: frozenset[str]) -> frozenset[str]:
    """The request's scopes that the app holds (and `offline_access` when asked for); with no `scope`
    parameter, all of the app's."""
    if not requested:
        return available
    return frozenset(requested.split()) & (available | {OFFLINE_ACCESS})


def consented_scopes(scopes: frozenset[str], share_demographics: bool) -> frozenset[str]:
    """What the beneficiary grants: unticking the demographics box strips Patient and profile, and
    `.r` with `.s` of a resource is condensed to `.rs`, as BB2's consent form does; `offline_access` alone
    grants nothing."""
    granted = set(scopes if share_demographics else scopes - DEMOGRAPHIC_SCOPES)
    for resource in RESOURCES:
        read, search = f"patient/{resource}.r", f"patient/{resource}.s"
        if read in granted and search in granted:
            granted -= {read, search}
            granted.add(f"patient/{resource}.rs")
    return frozenset(granted) if granted - {OFFLINE_ACCESS} else frozenset()


def scope_string(scopes: frozenset[str] | set[str]) -> str:
    """A space-delimited scope in a stable order (BB2's comes from a set, so any order is valid)."""
    return " ".join(s for s in GRANTABLE if s in scopes)
