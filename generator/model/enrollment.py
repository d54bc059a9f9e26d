"""Enrollment: who a sampled person is on paper (name, address, entitlement, Parts A/B/C/D and dual status by
month, plans) and what the care model needs to know about them.

Draws come from the shard's `Draws` in a fixed order per person, after the population arrays
(model/population.py), so a person depends only on the shard they are in.
"""
from __future__ import annotations

import datetime as dt
from functools import cache
from itertools import accumulate

import numpy as np

from generator import tables
from generator.model import identifiers
from generator.model.care_tables import choose_chronic_codes, choose_other_codes, primary_providers
from generator.model.dates import iso, month_spans, ordinal, transaction_time
from generator.model.draws import Draws, below, weighted_index
from generator.model.population import CONDITION_ORDER, Shard
from generator.model.providers import name_tables, pool, state_zips
from generator.model.records import Beneficiary, Insured, Person
from generator.profile import Profile

DUAL_CODES = (("02", 0.55), ("08", 0.25), ("01", 0.1), ("03", 0.05), ("06", 0.05))
DUAL_WEIGHTS = tuple(accumulate(p for _, p in DUAL_CODES))
MIDDLE = "ABCDEFGHJKLMNPRSTW"


def enroll(profile: Profile, seed: int, s: Shard, i: int, months: list[str], rng: Draws, intensity: float) -> Insured:
    """Person i of the shard as insured: the Beneficiary record, the care model's Person (None if no FFS or Part D
    care), whether they get the low-income subsidy, and their Part D plan by month."""
    index = s.start_index + i
    state = tables.table("states")[int(s.state[i])]
    zips = state_zips(state["abbr"]) or (("00000", "", ""),)
    zip_, county, _ = zips[below(rng, len(zips))]
    (fem, fem_p), (male, male_p), (last, last_p) = name_tables()
    female = bool(s.female[i])
    given = fem[weighted_index(rng, fem_p)] if female else male[weighted_index(rng, male_p)]
    family = last[weighted_index(rng, last_p)]
    conditions = [c for c, has in zip(CONDITION_ORDER, s.conditions[i].tolist()) if has]
    chronic = choose_chronic_codes(rng, conditions, bool(s.esrd[i]))

    start, end = profile.period_start.toordinal(), profile.period_end.toordinal()
    entitled = ordinal(s.entitlement[i])
    death = None if np.isnat(s.death[i]) else ordinal(s.death[i])
    first = max(start, entitled)
    last_day = end if death is None else min(end, death)
    ma, has_b, has_d, dual = bool(s.ma[i]), bool(s.part_b[i]), bool(s.part_d[i]), bool(s.dual[i])
    alive = [first <= m_end and m_first <= last_day for m_first, m_end in month_spans(tuple(months))]
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
        buyin=[_buyin(dual, has_b) if a else "0" for a in alive],
        part_c=[c_plan["contract"] if c_plan and a else "" for a in alive],
        part_c_pbp=c_plan["pbp"] if c_plan else "", part_c_plan_type=c_plan["plan_type"] if c_plan else "",
        part_d=[d_plan["contract"] if d_plan and a else "0" for a in alive],
        part_d_pbp=d_plan["pbp"] if d_plan else "", part_d_segment="000" if d_plan else "",
        cstshr=[("03" if lis else "09") if d_plan and a else "00" for a in alive],
        rdsind=["N" for _ in alive], conditions=conditions,
        last_updated=transaction_time(profile.period_end),
    )
    plans = {m: (d_plan["contract"], d_plan["pbp"]) for m, a in zip(months, alive) if a and d_plan}
    window = (first, last_day) if first <= last_day else None
    if window is None or (ma and not has_d):
        return Insured(bene, None, intensity, lis, plans)
    sp = pool(seed, int(s.state[i]))
    pcp, hospital, pharmacy = primary_providers(rng, sp)
    person = Person(
        female=female, age=float(s.age[i]), dual=dual, frailty=float(s.frailty[i]), conditions=conditions,
        chronic_codes=chronic, pool=sp, pcp=pcp, hospital=hospital, pharmacy=pharmacy,
        window_a=None if ma else window, window_b=window if has_b and not ma else None,
        part_d_days=[window] if has_d else [], death=death, esrd=esrd, other_codes=choose_other_codes(rng, conditions),
        primary_payer=primary_payer(seed, index, float(s.age[i]), dual, disabled, esrd),
    )
    return Insured(bene, person, intensity, lis, plans)


# Medicare Secondary Payer: a group health plan of the person's (or spouse's) current employment pays first, Medicare
# second (42 CFR 411.20-411.206): the working aged with an employer of 20+ employees (code A), the disabled with a
# large group plan of 100+ (code G). Shares of FFS beneficiaries with such a plan by age [U]: about a fifth of people
# 65-69 and a tenth of 70-74 still work (BLS 2023), fewer with a group plan and Part B taken (most defer Part B)
WORKING_AGED = ((65, 70, 0.08), (70, 75, 0.04))     # (from age, below age, share) of non-dual aged beneficiaries
DISABLED_GROUP_PLAN = 0.03                          # non-dual disabled beneficiaries under 65 (not ESRD) [U]


def primary_payer(seed: int, index: int, age: float, dual: bool, disabled: bool, esrd: bool) -> str:
    """Who pays before Medicare for this beneficiary (line_bene_prmry_pyr_cd; "" Medicare is primary): by age,
    disability and dual status, with the beneficiary's own uniform (a hash of the seed and index, which leaves the
    shard's random stream as it was). A dual-eligible has no employer plan here; ESRD's coordination period is not
    modelled."""
    if dual or esrd:
        return ""
    u = _own_uniform(seed, index)
    if age < 65:
        return "G" if disabled and u < DISABLED_GROUP_PLAN else ""
    return next(("A" for low, high, share in WORKING_AGED if low <= age < high and u < share), "")


def _own_uniform(seed: int, index: int) -> float:
    """A uniform in [0, 1) of (seed, index): splitmix64's finalizer."""
    x = (index * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return ((x ^ (x >> 31)) >> 11) / float(1 << 53)


def _buyin(dual: bool, has_b: bool) -> str:
    """MDCR_ENTLMT_BUYIN_IND of a month in Part A: 3 A and B, 1 A only; a dual's state buy-in C (A and B) or A
    (Part A only: a dual without Part B is not entitled to it, whatever the state pays)."""
    if dual:
        return "C" if has_b else "A"
    return "3" if has_b else "1"


@cache
def _contracts(part: str) -> tuple[dict, ...]:
    """The plan contracts of Part C or D."""
    return tuple(r for r in tables.table("contracts") if r["part"] == part)
