"""A deterministic pool of synthetic providers per state: clinicians, hospitals, SNFs, home health
agencies, hospices, pharmacies and DME suppliers, with valid NPIs and facility CCNs.

The pool depends only on the seed, never on the shard, so the same hospital (same NPI, same name)
appears across the whole dataset, and each beneficiary keeps "their" primary care doctor, hospital
and pharmacy for all their claims.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from faker.providers.person.en_US import Provider as PersonNames

from generator import codes
from generator.identifiers import npi
from generator.records import Provider

# kind → (how many per 1% of beneficiaries (min 1 per state), name suffixes, specialty code, taxonomy,
# CCN facility-number range). Facilities carry a CCN; people and suppliers don't.
FACILITY_KINDS = {
    "hospital": (6, ("Regional Medical Center", "General Hospital", "Community Hospital", "Memorial Hospital"),
                 "A0", "282N00000X", (1, 879)),
    "snf": (8, ("Health and Rehabilitation", "Skilled Nursing Center", "Care Center", "Nursing and Rehab"),
            "A7", "314000000X", (5000, 6499)),
    "hha": (5, ("Home Health Services", "Home Care", "Visiting Nurses"), "A4", "251E00000X", (7000, 8499)),
    "hospice": (4, ("Hospice", "Hospice and Palliative Care"), "B8", "251G00000X", (1500, 1799)),
    "pharmacy": (12, ("Pharmacy", "Drug Store", "Apothecary"), "A5", "3336C0003X", None),
    "dme": (3, ("Medical Supply", "Home Medical Equipment", "Respiratory Supply"), "A3", "332B00000X", None),
}
CLINICIANS_PER_PERCENT = 60
KIND_INDEX = {k: i for i, k in enumerate(["clinician", *FACILITY_KINDS])}
NPI_BASE = 100_000_000      # base9 = NPI_BASE + state * 10**6 + kind * 10**5 + k: unique, starts with 1


@dataclass(frozen=True)
class StatePool:
    """The providers of one state, by kind; clinicians also by specialty."""
    by_kind: dict[str, tuple[Provider, ...]]
    by_specialty: dict[str, tuple[Provider, ...]]


def _weighted_names(table) -> tuple[np.ndarray, np.ndarray]:
    names = np.array(list(table), dtype=object)
    w = np.array(list(table.values()), dtype=float)
    return names, w / w.sum()


@cache
def name_tables():
    return (_weighted_names(PersonNames.first_names_female), _weighted_names(PersonNames.first_names_male),
            _weighted_names(PersonNames.last_names))


@cache
def _zips_by_state() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """(zip, county, city) of every active standard ZIP code, by state."""
    import zipcodes
    out: dict[str, list] = {}
    for z in zipcodes.list_all():
        if z["zip_code_type"] == "STANDARD" and z["active"]:
            out.setdefault(z["state"], []).append((z["zip_code"], z["county"], z["city"]))
    return {k: tuple(v) for k, v in out.items()}


def state_zips(abbr: str) -> tuple[tuple[str, str, str], ...]:
    """(zip, county, city) choices for a state (empty for a state the ZIP list lacks)."""
    return _zips_by_state().get(abbr, ())


@cache
def pool(seed: int, state_index: int) -> StatePool:
    """The provider pool of one state for a dataset seed."""
    state = codes.state_table()[state_index]
    rng = np.random.default_rng([seed, 7919, state_index])
    share_pct = float(state["share"]) * 100
    zips = state_zips(state["abbr"]) or (("00000", "", state["name"]),)
    (fem, fem_p), (male, male_p), (last, last_p) = name_tables()
    specialties = codes.table("specialties")
    spec_p = np.array([float(s["share"]) for s in specialties])
    spec_p /= spec_p.sum()

    def base(kind: str, k: int) -> int:
        return NPI_BASE + state_index * 1_000_000 + KIND_INDEX[kind] * 100_000 + k

    def place() -> tuple[str, str]:
        z = zips[rng.integers(len(zips))]
        return z[0], z[2]

    by_kind: dict[str, tuple[Provider, ...]] = {}
    n_clin = max(10, round(CLINICIANS_PER_PERCENT * share_pct))
    people = []
    for k in range(n_clin):
        female = rng.random() < 0.45
        first = (fem[rng.choice(len(fem), p=fem_p)] if female else male[rng.choice(len(male), p=male_p)])
        family = last[rng.choice(len(last), p=last_p)]
        spec = specialties[rng.choice(len(specialties), p=spec_p)]
        zip_, _ = place()
        people.append(Provider(npi=npi(base("clinician", k)), name=f"{family}, {first}".upper(), kind="person",
                               taxonomy=spec["taxonomy"], specialty=spec["code"], state=state["abbr"],
                               zip=zip_, ccn=""))
    by_kind["clinician"] = tuple(people)
    for kind, (per_pct, suffixes, specialty, taxonomy, ccn_range) in FACILITY_KINDS.items():
        orgs = []
        for k in range(max(1, round(per_pct * share_pct))):
            zip_, city = place()
            name = f"{city} {suffixes[rng.integers(len(suffixes))]}"
            ccn = f"{state['ssa_code']}{ccn_range[0] + k:04d}" if ccn_range else ""
            orgs.append(Provider(npi=npi(base(kind, k)), name=name.upper(), kind="org", taxonomy=taxonomy,
                                 specialty=specialty, state=state["abbr"], zip=zip_, ccn=ccn))
        by_kind[kind] = tuple(orgs)
    by_specialty: dict[str, list] = {}
    for p in people:
        by_specialty.setdefault(p["specialty"], []).append(p)
    return StatePool(by_kind=by_kind, by_specialty={k: tuple(v) for k, v in by_specialty.items()})


PRIMARY_CARE = ("11", "08", "01", "50", "97")


def pick(rng: np.random.Generator, providers: tuple[Provider, ...]) -> Provider:
    """One provider, uniformly."""
    return providers[rng.integers(len(providers))]


def clinician(rng, sp: StatePool, specialty: str) -> Provider:
    """A clinician of the specialty in the state (any clinician if the state has none of it)."""
    return pick(rng, sp.by_specialty.get(specialty) or sp.by_kind["clinician"])


def primary_care(rng, sp: StatePool) -> Provider:
    """A primary care clinician (internal/family/general medicine, NP or PA)."""
    choices = tuple(p for s in PRIMARY_CARE for p in sp.by_specialty.get(s, ()))
    return pick(rng, choices or sp.by_kind["clinician"])
