"""Load and check a population profile (profiles/*.yaml) into an immutable `Profile`.

A profile says who the beneficiaries are and how much care they use. It may start from another
profile (`extends: default`) and override only what differs. Every error names the key and the rule
it breaks, e.g. `population.female_share: 1.4 is not a probability (0 to 1)`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from collections.abc import Mapping

import yaml

from generator.errors import ProfileError

SHARE_TOLERANCE = 1e-3
AGE_BANDS = ("65-69", "70-74", "75-79", "80-84", "85+")
MORTALITY_BANDS = ("under-65", *AGE_BANDS)
RACE_CODES = ("0", "1", "2", "3", "4", "5", "6")
CONDITIONS = (
    "hypertension", "hyperlipidemia", "arthritis", "ischemic_heart_disease", "diabetes", "ckd", "anemia",
    "depression", "cataract", "hypothyroidism", "heart_failure", "dementia", "copd", "glaucoma", "bph",
    "atrial_fibrillation", "osteoporosis", "asthma", "stroke", "breast_cancer", "prostate_cancer",
    "lung_cancer", "colorectal_cancer",
)
UTILIZATION = {
    "inpatient_admissions_per_1000": (0, 2000),
    "inpatient_readmission_rate": (0, 1),
    "snf_users": (0, 1),
    "hha_users": (0, 1),
    "hospice_share_of_decedents": (0, 1),
    "outpatient_claims_per_bene": (0, 100),
    "carrier_claims_per_bene": (0, 200),
    "dme_claims_per_bene": (0, 50),
    "pde_fills_per_enrollee": (0, 200),
}


def _key(path: str, k) -> str:
    return f"{path}.{k}" if path else str(k)


# --- the schema, as data: each leaf is a checker(path, value) -> normalised value -----------------

def _probability(path, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ProfileError(f"{path}: {v!r} is not a probability (a number from 0 to 1)")
    return float(v)


def _bounded(lo, hi):
    def check(path, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise ProfileError(f"{path}: {v!r} must be a number from {lo} to {hi}")
        return float(v)
    return check


def _text(path, v):
    if not isinstance(v, str) or not v.strip():
        raise ProfileError(f"{path}: must be a non-empty text")
    return v


def _date(path, v):
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise ProfileError(f"{path}: {v!r} is not a date (YYYY-MM-DD)") from None


def _shares(keys: tuple[str, ...] | None):
    """A mapping of shares that sum to 1; `keys` (when given) are the only allowed keys, all required."""
    def check(path, v):
        if not isinstance(v, Mapping) or not v:
            raise ProfileError(f"{path}: must be a mapping of shares that sum to 1")
        out = {str(k): _probability(_key(path, k), x) for k, x in v.items()}
        if keys is not None:
            unknown = sorted(set(out) - set(keys))
            if unknown:
                raise ProfileError(f"{_key(path, unknown[0])}: unknown key (allowed: {', '.join(keys)})")
            missing = [k for k in keys if k not in out]
            if missing:
                raise ProfileError(f"{path}: missing {', '.join(missing)} (every one of {', '.join(keys)} is needed)")
        total = sum(out.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ProfileError(f"{path}: shares sum to {total:.4f}, they must sum to 1")
        return MappingProxyType(out)
    return check


def _states(path, v):
    if v == "national":
        return v
    from generator.tables import table
    known = {row["abbr"] for row in table("states")}
    shares = _shares(None)(path, v)
    for k in shares:
        if k not in known:
            raise ProfileError(f"{_key(path, k)}: unknown state (use USPS codes such as CA, NY, TX)")
    return shares


def _section(fields: dict, optional: frozenset = frozenset()):
    def check(path, v):
        if not isinstance(v, Mapping):
            raise ProfileError(f"{path}: must be a mapping")
        for k in v:
            if k not in fields:
                raise ProfileError(f"{_key(path, k)}: unknown key (allowed: {', '.join(fields)})")
        out = {}
        for k, checker in fields.items():
            if k not in v:
                if k in optional:
                    continue
                raise ProfileError(f"{_key(path, k)}: missing")
            out[k] = checker(_key(path, k), v[k])
        return MappingProxyType(out)
    return check


SCHEMA = _section({
    "name": _text,
    "description": _text,
    "period": _section({"start": _date, "end": _date}),
    "population": _section({
        "female_share": _probability,
        "under_65_share": _probability,
        "esrd_share": _probability,
        "age_bands": _shares(AGE_BANDS),
        "race": _shares(RACE_CODES),
        "states": _states,
        "dual_share": _section({"under_65": _probability, "aged": _probability}),
        "part_b_share": _probability,
        "part_d_share": _probability,
        "medicare_advantage_share": _probability,
        "annual_mortality": _section(dict.fromkeys(MORTALITY_BANDS, _probability)),
        "mortality_multiplier": _section({"male": _bounded(0, 10), "dual": _bounded(0, 10)}),
    }),
    "conditions": _section(dict.fromkeys(CONDITIONS, _probability)),
    "utilization": _section({k: _bounded(lo, hi) for k, (lo, hi) in UTILIZATION.items()}),
}, optional=frozenset({"description"}))


@dataclass(frozen=True, eq=False)
class Profile:
    """A checked profile. Sections are read-only mappings with the keys of the schema above."""
    name: str
    description: str
    period_start: dt.date
    period_end: dt.date
    population: Mapping[str, Any]
    conditions: Mapping[str, float]
    utilization: Mapping[str, float]
    source: str

    @property
    def fingerprint(self) -> str:
        """A stable text of the whole content: equal for equal profiles (a cache key)."""
        return repr(_as_plain(self))

    @property
    def content_hash(self) -> str:
        """`sha256:<hex>` of the whole content: what the manifest records, so a replay can tell a changed profile."""
        return "sha256:" + hashlib.sha256(self.fingerprint.encode()).hexdigest()

    @property
    def years(self) -> float:
        """Length of the period in years."""
        return ((self.period_end - self.period_start).days + 1) / 365.25

    def __reduce__(self):
        """Pickle as plain data (worker processes receive profiles this way)."""
        return _from_plain, (_as_plain(self), self.source)

    def with_period(self, start: dt.date | None, end: dt.date | None) -> Profile:
        """The same profile over another period (either end may be kept)."""
        from dataclasses import replace
        new = replace(self, period_start=start or self.period_start, period_end=end or self.period_end)
        _check_period(new.period_start, new.period_end, "period")
        return new


def _check_period(start: dt.date, end: dt.date, path: str) -> None:
    if end < start:
        raise ProfileError(f"{path}: end {end} is before start {start}")
    if (end - start).days > 366 * 10:
        raise ProfileError(f"{path}: at most 10 years can be simulated")
    if start.year < 2015:
        raise ProfileError(f"{path}: start {start} is before 2015 (ICD-10 claims only)")


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text, so a bad date gets our own message."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped in the package."""
    return sorted(p.name[:-5] for p in resources.files("profiles").iterdir() if p.name.endswith(".yaml"))


def _read_yaml(name_or_path: str) -> tuple[dict, str]:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ProfileError(f"profile file {path} does not exist")
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        res = resources.files("profiles") / f"{name_or_path}.yaml"
        if not res.is_file():
            raise ProfileError(f"unknown profile {name_or_path!r} (built in: {', '.join(builtin_profiles())}; "
                               "or give a path to a .yaml file)")
        text, source = res.read_text(encoding="utf-8"), name_or_path
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ProfileError(f"profile {source}{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"profile {source}: must be a YAML mapping")
    return data, source


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) \
            and k not in ("age_bands", "race", "states") else v
    return out


def load_profile(name_or_path: str, _seen: tuple[str, ...] = ()) -> Profile:
    """Load a built-in profile by name or a YAML file by path, resolve `extends`, and check it."""
    data, source = _read_yaml(name_or_path)
    parent = data.pop("extends", None)
    if parent is not None:
        if parent in _seen or parent == name_or_path:
            raise ProfileError(f"profile {source}: extends: {parent!r} makes a cycle")
        base = load_profile(parent, (*_seen, name_or_path))
        data = _merge(_as_plain(base), data)
    try:
        checked = SCHEMA("", data)
        _check_period(checked["period"]["start"], checked["period"]["end"], "period")
    except ProfileError as e:
        raise ProfileError(f"profile {source}: {e}") from None
    return _profile(checked, source)


def _from_plain(data: dict, source: str) -> Profile:
    """Rebuild a checked profile from `_as_plain` data."""
    return _profile(SCHEMA("", data), source)


def _profile(checked: Mapping, source: str) -> Profile:
    return Profile(
        name=checked["name"], description=checked.get("description", ""),
        period_start=checked["period"]["start"], period_end=checked["period"]["end"],
        population=checked["population"], conditions=checked["conditions"],
        utilization=checked["utilization"], source=source,
    )


def _as_plain(p: Profile) -> dict:
    """A profile back as plain nested dicts (to merge a child profile onto)."""
    def plain(v):
        return {k: plain(x) for k, x in v.items()} if isinstance(v, Mapping) else v
    return {"name": p.name, "description": p.description,
            "period": {"start": p.period_start, "end": p.period_end},
            "population": plain(p.population), "conditions": plain(p.conditions),
            "utilization": plain(p.utilization)}
