"""A deterministic pool of synthetic providers per state: clinicians, hospitals, SNFs, home health
agencies, hospices, pharmacies and DME suppliers, with valid NPIs and facility CCNs.

The pool depends only on the seed, never on the shard, so the same hospital (same NPI, same name)
appears across the whole dataset, and each beneficiary keeps "their" primary care doctor, hospital
and pharmacy for all their claims. Clinicians' names are drawn from the weighted US name tables
(the names table), places from the state's ZIP codes (the zips table).
"""
from __future__ import annotations

from functools import cache
from itertools import accumulate

import numpy as np

from generator import tables
from generator.model.draws import Draws, below
from generator.model.identifiers import npi
from generator.model.records import Provider, StatePool

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
    "irf": (1, ("Rehabilitation Hospital", "Institute for Rehabilitation"), "A0", "283X00000X", (3025, 3099)),
    "ambulance": (2, ("Ambulance Service", "Emergency Medical Services"), "59", "3416L0300X", None),
    "dialysis": (2, ("Dialysis Center", "Kidney Center", "Dialysis Clinic"), "A0", "261QE0700X", (2300, 2499)),
    "ltch": (1, ("Specialty Hospital", "Long Term Acute Care Hospital"), "A0", "282E00000X", (2000, 2299)),
    "asc": (2, ("Surgery Center", "Ambulatory Surgery Center", "Surgical Center"), "49", "261QA1903X", None),
}
CLINICIANS_PER_PERCENT = 60
SOLO_SHARE = 0.15           # clinicians billing under their own NPI; the others reassign to a group practice
GROUP_SIZE_MEAN = 6         # clinicians per group practice (1 + Poisson): most practices are small
GROUP = ("70", "193200000X", ("Medical Group", "Physicians", "Associates", "Clinic", "Health Partners"))
"""A group practice's CMS specialty (70, multispecialty clinic or group practice), NUCC taxonomy, name suffixes."""
PRIMARY_CARE = ("11", "08", "01", "50", "97")     # the specialties a person's own clinician may have
KIND_INDEX = {k: i for i, k in enumerate(["clinician", *FACILITY_KINDS, "group"])}
NPI_BASE = 100_000_000      # base9 = NPI_BASE + state * 10**6 + kind * KIND_NPIS + k: unique, starts with 1
KIND_NPIS = 50_000          # NPIs per kind and state: room for 20 kinds in a state's million


@cache
def name_tables() -> tuple[tuple[list[str], tuple[float, ...]], ...]:
    """(names, running sums of their weights) of US female first names, male first names and last names."""
    out = []
    for kind in ("female", "male", "last"):
        rows = [r for r in tables.table("names") if r["kind"] == kind]
        out.append(([r["name"] for r in rows], tuple(accumulate(float(r["weight"]) for r in rows))))
    return tuple(out)


@cache
def zips_by_state() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """(zip, county, city) of every active standard ZIP code (the zips table), by state abbreviation, in ZIP order."""
    out: dict[str, list] = {}
    for zip_, state, county, city in tables.rows("zips"):
        out.setdefault(state, []).append((zip_, county, city))
    return {k: tuple(v) for k, v in out.items()}


def state_zips(abbr: str) -> tuple[tuple[str, str, str], ...]:
    """(zip, county, city) choices for a state (empty for a state the ZIP list lacks)."""
    return zips_by_state().get(abbr, ())


def _picks(rng: np.random.Generator, cumulative, n: int) -> list[int]:
    """n indices drawn with the weights whose running sums are `cumulative` (all at once)."""
    return np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right").tolist()


def _uniform_picks(rng: np.random.Generator, size: int, n: int) -> list[int]:
    """n uniform indices below size."""
    return (rng.random(n) * size).astype(int).tolist()


@cache
def pool(seed: int, state_index: int) -> StatePool:
    """The provider pool of one state for a dataset seed (each attribute drawn for the whole pool at once)."""
    state = tables.table("states")[state_index]
    abbr = state["abbr"]
    rng = np.random.default_rng([seed, 7919, state_index])
    share_pct = float(state["share"]) * 100
    zips = state_zips(abbr) or (("00000", "", state["name"]),)
    (fem, fem_w), (male, male_w), (last, last_w) = name_tables()
    specialties = tables.table("specialties")

    def npis(kind: str, n: int) -> list[str]:
        base = NPI_BASE + state_index * 1_000_000 + KIND_INDEX[kind] * KIND_NPIS
        return [npi(base + k) for k in range(n)]

    n = max(10, round(CLINICIANS_PER_PERCENT * share_pct))
    female = (rng.random(n) < 0.45).tolist()
    firsts = zip(_picks(rng, fem_w, n), _picks(rng, male_w, n))
    families = _picks(rng, last_w, n)
    specs = _picks(rng, tuple(accumulate(float(s["share"]) for s in specialties)), n)
    places = _uniform_picks(rng, len(zips), n)
    groups = _groups(rng, places, zips, abbr, npis)
    people = tuple(
        Provider(npi=number, name=f"{last[family]}, {fem[f] if is_f else male[m]}".upper(), kind="person",
                 taxonomy=specialties[spec]["taxonomy"], specialty=specialties[spec]["code"], state=abbr,
                 zip=zips[place][0], ccn="", **({"billing": group} if group else {}))
        for number, is_f, (f, m), family, spec, place, group in zip(npis("clinician", n), female, firsts, families,
                                                                     specs, places, groups))
    by_kind: dict[str, tuple[Provider, ...]] = {"clinician": people}
    for kind, (per_pct, suffixes, specialty, taxonomy, ccn_range) in FACILITY_KINDS.items():
        n = max(1, round(per_pct * share_pct))
        places, names = _uniform_picks(rng, len(zips), n), _uniform_picks(rng, len(suffixes), n)
        kinds_of = _kinds_of(rng, kind, taxonomy, specialty, n)
        by_kind[kind] = tuple(
            Provider(npi=number, name=f"{zips[place][2]} {suffixes[name]}".upper(), kind="org", taxonomy=own[0],
                     specialty=own[1], state=abbr, zip=zips[place][0],
                     ccn=f"{state['ssa_code']}{ccn_range[0] + k:04d}" if ccn_range else "")
            for k, (number, place, name, own) in enumerate(zip(npis(kind, n), places, names, kinds_of)))
    by_specialty: dict[str, list] = {}
    for p in people:
        by_specialty.setdefault(p["specialty"], []).append(p)
    primary = tuple(p for s in PRIMARY_CARE for p in by_specialty.get(s, ()))
    return StatePool(by_kind=by_kind, by_specialty={k: tuple(v) for k, v in by_specialty.items()},
                     primary_care=primary or people)


def _groups(rng: np.random.Generator, places: list[int], zips, abbr: str, npis) -> list[Provider | None]:
    """Per clinician, the group practice that bills for them (None: a solo practitioner): clinicians of one
    neighbourhood (ZIP order) join a group together, 1 + Poisson(GROUP_SIZE_MEAN - 1) of them."""
    n = len(places)
    solo = (rng.random(n) < SOLO_SHARE).tolist()
    out: list[Provider | None] = [None] * n
    members = [i for i in sorted(range(n), key=places.__getitem__) if not solo[i]]
    sizes = (1 + rng.poisson(GROUP_SIZE_MEAN - 1, len(members))).tolist()
    suffixes = _uniform_picks(rng, len(GROUP[2]), len(members))
    numbers = npis("group", len(members))
    specialty, taxonomy, names = GROUP
    at = k = 0
    while at < len(members):
        first = members[at]
        zip_, _, city = zips[places[first]]
        group = Provider(npi=numbers[k], name=f"{city} {names[suffixes[k]]}".upper(), kind="org",
                         taxonomy=taxonomy, specialty=specialty, state=abbr, zip=zip_, ccn="")
        for i in members[at:at + sizes[k]]:
            out[i] = group
        at += sizes[k]
        k += 1
    return out


SUBTYPES = {"pharmacy": ("pharmacy_types", "taxonomy", None), "dme": ("dme_suppliers", "taxonomy", "specialty")}
"""Kinds whose providers differ by type: the table of their types' shares, its taxonomy and specialty columns."""


def _kinds_of(rng: np.random.Generator, kind: str, taxonomy: str, specialty: str, n: int) -> list[tuple[str, str]]:
    """The (NUCC taxonomy, CMS specialty) of a kind's n providers: pharmacies by service type (pharmacy_types:
    retail, long-term care, mail order…) and DME suppliers by specialty (dme_suppliers) drawn by their shares,
    every other kind its one taxonomy and specialty."""
    if kind not in SUBTYPES:
        return [(taxonomy, specialty)] * n
    name, taxonomy_column, specialty_column = SUBTYPES[kind]
    types = tables.table(name)
    cumulative = tuple(accumulate(float(t["share"]) for t in types))
    return [(types[i][taxonomy_column], types[i][specialty_column] if specialty_column else specialty)
            for i in _picks(rng, cumulative, n)]


def pick(rng: Draws, providers: tuple[Provider, ...]) -> Provider:
    """One provider, uniformly."""
    return providers[below(rng, len(providers))]


def clinician(rng, sp: StatePool, specialty: str) -> Provider:
    """A clinician of the specialty in the state (any clinician if the state has none of it)."""
    return pick(rng, sp.by_specialty.get(specialty) or sp.by_kind["clinician"])


def primary_care(rng, sp: StatePool) -> Provider:
    """A primary care clinician (internal/family/general medicine, NP or PA)."""
    return pick(rng, sp.primary_care)
