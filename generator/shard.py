"""Generate one shard: its people, their care, their claims, as FHIR resources (dicts), person by person.

A shard depends only on (profile, seed, shard index, size), never on other shards or on the number
of worker processes, so any split of the work gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Iterator

import numpy as np
import orjson

from generator import identifiers, tables
from generator.claims import ClaimBuilder, Ledger, iso
from generator.draws import Draws, below, weighted_index
from generator.fhir import coverage_resources, eob_json, patient_resource
from generator.population import CONDITION_ORDER, Shard, period_months, sample_shard
from generator.profile import Profile
from generator.providers import name_tables, pool, state_zips
from generator.records import Beneficiary, Claim
from generator.utilization import (CareModel, Person, choose_chronic_codes, condition_codes, primary_providers,
                                  month_end)

SHARD_SIZE = 1000
TYPE_ORDER = {t: i for i, t in enumerate(("inpatient", "snf", "hha", "hospice", "outpatient", "carrier", "dme", "pde"))}
DUAL_CODES = (("02", 0.55), ("08", 0.25), ("01", 0.1), ("03", 0.05), ("06", 0.05))
DUAL_WEIGHTS = tuple(accumulate(p for _, p in DUAL_CODES))
MIDDLE = "ABCDEFGHJKLMNPRSTW"
EPOCH = dt.date(1970, 1, 1).toordinal()       # datetime64[D] counts days from it
PersonResources = tuple[str, bytes, list[bytes], list[bytes]]


def export_day(profile: Profile) -> int:
    """The day the dataset is 'exported': claims processed later are cut off at it."""
    return profile.period_end.toordinal() + 14


def transaction_time(profile: Profile) -> str:
    return f"{dt.date.fromordinal(export_day(profile)).isoformat()}T00:00:00.000+00:00"


@dataclass(frozen=True)
class Insured:
    """One beneficiary as generated: the record, the care model's Person (None if no FFS or Part D care),
    their care intensity, whether they get the low-income subsidy, and their Part D plan by month."""
    bene: Beneficiary
    person: Person | None
    intensity: float
    lis: bool
    plans: dict[str, tuple[str, str]]


def shard_people(profile: Profile, seed: int, index: int, start_index: int, count: int) -> Iterator[tuple[Insured, list[Claim]]]:
    """Each beneficiary of the shard in order with their claims (all drawn from the shard's one rng stream:
    the population as arrays, then person by person through one `Draws`)."""
    rng = np.random.default_rng([seed, index])
    shard = sample_shard(profile, rng, start_index, count)
    months = period_months(profile.period_start, profile.period_end)
    draws = Draws(rng)
    care = CareModel(profile, draws)
    builder = ClaimBuilder(index, draws, export_day(profile))
    intensity = _intensity(shard)
    for i in range(count):
        bene, person, lis, plans = _beneficiary(profile, seed, shard, i, months, draws)
        insured = Insured(bene, person, float(intensity[i]), lis, plans)
        yield insured, care_claims(care, builder, insured)


def care_claims(care: CareModel, builder: ClaimBuilder, insured: Insured) -> list[Claim]:
    """The claims of an insured person's care: the care model's encounters in date order, priced with one ledger."""
    encounters = care.encounters(insured.person, insured.intensity) if insured.person else []
    encounters.sort(key=lambda e: e.start * len(TYPE_ORDER) + TYPE_ORDER[e.ctype])     # by day, then type
    ledger = Ledger()
    bene_id = insured.bene["bene_id"]
    plans, lis, build = insured.plans, insured.lis, builder.build
    return [build(enc, bene_id, ledger, lis, plans) for enc in encounters]


def shard_resources(profile: Profile, seed: int, index: int, start_index: int, count: int) -> Iterator[PersonResources]:
    """Each beneficiary of the shard in order: (bene id, Patient, Coverages, ExplanationOfBenefits) serialized
    (compact JSON, no trailing newline)."""
    dumps = orjson.dumps
    for insured, claims in shard_people(profile, seed, index, start_index, count):
        bene = insured.bene
        yield (bene["bene_id"], dumps(patient_resource(bene)), [dumps(c) for c in coverage_resources(bene)],
               [eob_json(claim, bene) for claim in claims])


def bundle(bene_id: str, resources: list[bytes]) -> bytes:
    """A beneficiary's resources (serialized) as one collection Bundle."""
    head = orjson.dumps({"resourceType": "Bundle", "id": f"bundle{bene_id}", "type": "collection"})[:-1]
    return head + b',"entry":[' + b",".join(b'{"resource":' + r + b"}" for r in resources) + b"]}"


def _intensity(shard: Shard) -> np.ndarray:
    """How much care each person uses relative to the shard's average (frailty and illness burden)."""
    raw = np.exp(0.35 * shard.frailty + 0.15 * shard.conditions.sum(axis=1))
    ffs = ~shard.ma
    mean = raw[ffs].mean() if ffs.any() else 1.0
    return raw / mean


def _beneficiary(profile: Profile, seed: int, s: Shard, i: int, months: list[str], rng: Draws):
    """The Beneficiary record of person i, the care model's Person (None if no FFS or Part D care),
    whether they get the low-income subsidy, and their Part D plan by month."""
    index = s.start_index + i
    state = tables.table("states")[int(s.state[i])]
    zips = state_zips(state["abbr"]) or (("00000", "", ""),)
    zip_, county, _ = zips[below(rng, len(zips))]
    (fem, fem_p), (male, male_p), (last, last_p) = name_tables()
    female = bool(s.female[i])
    given = fem[weighted_index(rng, fem_p)] if female else male[weighted_index(rng, male_p)]
    family = last[weighted_index(rng, last_p)]
    conditions = [c for c, has in zip(CONDITION_ORDER, s.conditions[i].tolist()) if has]
    chronic = choose_chronic_codes(rng, conditions)
    if s.esrd[i] and "N186" in condition_codes().get("ckd", ((),))[0]:
        chronic["ckd"] = "N186"

    start, end = profile.period_start.toordinal(), profile.period_end.toordinal()
    entitled = _ordinal(s.entitlement[i])
    death = None if np.isnat(s.death[i]) else _ordinal(s.death[i])
    first = max(start, entitled)
    last_day = end if death is None else min(end, death)
    ma, has_b, has_d, dual = bool(s.ma[i]), bool(s.part_b[i]), bool(s.part_d[i]), bool(s.dual[i])
    alive = [first <= m_end and m_first <= last_day for m_first, m_end in _month_spans(tuple(months))]
    dual_code = DUAL_CODES[weighted_index(rng, DUAL_WEIGHTS)][0] if dual else "NA"
    d_plans, c_plans = _contracts("D"), _contracts("C")
    d_plan = d_plans[below(rng, len(d_plans))] if has_d and d_plans else None
    c_plan = c_plans[below(rng, len(c_plans))] if ma and c_plans else None
    lis = dual and has_d

    disabled, esrd = bool(s.disabled[i]), bool(s.esrd[i])
    orec = "2" if esrd and disabled and rng.random() < 0.4 else ("1" if disabled else "0")
    ms_cd = ("21" if esrd else "20") if disabled else ("11" if esrd else "10")
    if orec == "2":
        ms_cd = "31"
    death_iso = iso(death) if death is not None else None
    bene = Beneficiary(
        index=index, bene_id=identifiers.bene_id(index), mbi=identifiers.mbi(index),
        mbi_effective=iso(max(entitled, dt.date(2018, 4, 1).toordinal())),
        given=str(given), middle_initial=MIDDLE[below(rng, len(MIDDLE))], family=str(family),
        sex="female" if female else "male", birth_date=str(s.birth[i]), death_date=death_iso,
        race=str(s.race[i]), state=state["ssa_code"], state_abbr=state["abbr"], county=county, zip=zip_,
        orec=orec, crec=orec, esrd=esrd, ms_cd=ms_cd, ref_year=profile.period_end.year, months=months,
        part_a=alive, part_b=[a and has_b for a in alive], part_a_start=iso(entitled),
        part_b_start=iso(entitled) if has_b else None,
        part_a_end=death_iso, part_b_end=death_iso if has_b else None,
        a_trm_cd="1" if death is not None else "0", b_trm_cd="1" if death is not None and has_b else "0",
        dual=[dual_code if a else "NA" for a in alive],
        buyin=[("C" if dual else ("3" if has_b else "1")) if a else "0" for a in alive],
        part_c=[c_plan["contract"] if c_plan and a else "" for a in alive],
        part_c_pbp=c_plan["pbp"] if c_plan else "", part_c_plan_type=c_plan["plan_type"] if c_plan else "",
        part_d=[d_plan["contract"] if d_plan and a else "0" for a in alive],
        part_d_pbp=d_plan["pbp"] if d_plan else "", part_d_segment="000" if d_plan else "",
        cstshr=[("03" if lis else "09") if d_plan and a else "00" for a in alive],
        rdsind=["N" for _ in alive], conditions=conditions,
        last_updated=transaction_time(profile),
    )
    plans = {m: (d_plan["contract"], d_plan["pbp"]) for m, a in zip(months, alive) if a and d_plan}
    window = (first, last_day) if first <= last_day else None
    if window is None or (ma and not has_d):
        return bene, None, lis, plans
    sp = pool(seed, int(s.state[i]))
    pcp, hospital, pharmacy = primary_providers(rng, sp)
    person = Person(
        female=female, age=float(s.age[i]), dual=dual, frailty=float(s.frailty[i]), conditions=conditions,
        chronic_codes=chronic, pool=sp, pcp=pcp, hospital=hospital, pharmacy=pharmacy,
        window_a=None if ma else window, window_b=window if has_b and not ma else None,
        part_d_days=[window] if has_d else [], death=death, esrd=esrd,
    )
    return bene, person, lis, plans


@cache
def _month_spans(months: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(first day, last day) ordinals of each 'YYYY-MM' month."""
    firsts = [dt.date.fromisoformat(m + "-01").toordinal() for m in months]
    return tuple((first, month_end(first)) for first in firsts)


@cache
def _contracts(part: str) -> tuple[dict, ...]:
    """The plan contracts of Part C or D."""
    return tuple(r for r in tables.table("contracts") if r["part"] == part)


def _ordinal(d: np.datetime64) -> int:
    return EPOCH + int(d.astype("int64"))
