"""Post-acute care: SNF stays after a qualifying stay, and home health episodes after a stay or on referral."""
from __future__ import annotations

import math
from functools import cache

from generator import tables
from generator.claim_types import TYPES
from generator.model.care.common import CareBase, day_in, years
from generator.model.care.facility_visits import hipps, visit_lines
from generator.model.care.inpatient import DESTINATIONS, STAYS_PER_USER
from generator.model.draws import below
from generator.model.providers import clinician, pick
from generator.model.records import Encounter, HomeHealthPeriod, SnfStay, still_a_patient

HHA, SNF = TYPES["hha"], TYPES["snf"]

# SNF and home health
SNF_LOS = (math.log(22), 0.6)    # lognormal days, 3 to 100 (realism.md §6: mean ≈25)
SNF_DAYS = (3, 100)
SNF_LONG_STAY = 0.04             # stays running past day 100 of the benefit period (an estimate [U])
SNF_PAST_BENEFIT = 60            # their days after it: below(60)
HH_PERIOD_DAYS = 30
HH_MORE_PERIODS = 0.45           # geometric p of the periods after the first (plus a coin flip for one more): ≈3
#                                  periods a user before the year's end cuts them (MedPAC 2022: 8.6 M periods,
#                                  2.8 M users, realism-detail.md §4.3)
HH_VISITS = (4, 11)              # 4 + below(11) visits a period
LUPA_VISITS = 5                  # fewer visits than this: a low-utilization period
SNF_BY_AMBULANCE = 0.4           # SNF admissions transported from the hospital by ambulance [U: BLS non-emergency
#                                  A0428 ≈ 99 per 1,000 FFS beneficiaries (realism-detail.md §1), SNF and dialysis
#                                  transports most of it]
SNF_TRANSPORT = (("A0428",), "HN")   # BLS non-emergency, hospital to skilled nursing facility
# The home health principal diagnosis follows the reason for home care (PDGM groups a period by it): after a stay,
# its condition (an injury's subsequent encounter) or the aftercare of its surgery; on a community referral, the
# person's chronic condition that most calls for skilled care at home, in this order
HOME_HEALTH_REASONS = ("heart_failure", "copd", "stroke", "dementia", "lung_cancer", "colorectal_cancer", "diabetes",
                       "ckd", "arthritis", "osteoporosis", "ischemic_heart_disease", "atrial_fibrillation",
                       "depression", "asthma", "anemia", "hypertension")
JOINT_REPLACEMENT = "0SR"        # ICD-10-PCS: replacement of a lower joint (knee, hip)
JOINT_AFTERCARE = "Z471"         # aftercare following joint replacement surgery
SURGICAL_AFTERCARE = "Z4889"     # encounter for other specified surgical aftercare
PDGM_GROUP = 2                   # the HIPPS position of the PDGM clinical group


@cache
def _pdgm_groups() -> dict[str, str]:
    return {r["prefix"]: r["group"] for r in tables.table("pdgm_groups")}


@cache
def pdgm_group(code: str) -> str | None:
    """The PDGM clinical group of a home health principal diagnosis (the pdgm_groups table, longest prefix), None
    for a code not accepted as one."""
    groups = _pdgm_groups()
    for n in range(len(code), 0, -1):
        group = groups.get(code[:n])
        if group is not None:
            return group
    return None


STROKE_SEQUELAE = {"I60": "I6900", "I61": "I6910", "I62": "I6920", "I63": "I6930"}
"""An acute stroke's sequelae (ICD-10-CM I69): what care after the stay's discharge treats."""


def subsequent(code: str) -> str:
    """What care after a stay treats of its diagnosis: an injury's subsequent encounter (7th character D, after its
    initial active treatment), an acute stroke's sequelae."""
    if len(code) == 7 and code[0] in "ST" and code[6] == "A":
        return code[:6] + "D"
    return STROKE_SEQUELAE.get(code[:3], code)


class PostAcute(CareBase):
    """The SNF and home health part of the care model."""

    def _snf(self, p, discharge: int, last: int, dx, drg: str, out, stays) -> int:
        rng = self.rng
        start = discharge
        los = min(SNF_DAYS[1], max(SNF_DAYS[0], int(rng.lognormal(*SNF_LOS))))
        if rng.random() < SNF_LONG_STAY:     # stays on past the benefit period's 100 days, not covered after them
            los = SNF_DAYS[1] + below(rng, SNF_PAST_BENEFIT)
        end = min(start + los, last)
        if end <= start:
            return discharge + 1
        snf = pick(rng, p.pool.by_kind["snf"])
        attending = clinician(rng, p.pool, "11")
        stay = SnfStay(qualifying_stay=(stays[-1][0], stays[-1][1]), drg=drg, admission_type="3", admission_source="4",
                       discharge_status="01" if end < last or p.death is None else ("20" if end == p.death else "30"),
                       days=end - start, hipps=hipps(rng, SNF.hipps))
        out.append(Encounter(SNF, start, end, dx[:1] + self._secondary(p, 6), [], snf, attending=attending, facts=stay))
        stays.append((start, end))
        if p.window_b:
            if rng.random() < SNF_BY_AMBULANCE:     # a bed-bound patient goes from the hospital by ambulance
                self._ambulance(p, start, dx, out, SNF_TRANSPORT)
            self._rounds(SNF.rounds, p, start, end, dx, attending, out,
                         discharged=not still_a_patient(end, self.period_end, stay.discharge_status))
        return end + 1

    def _home_health_reason(self, p, stay_dx: list[str], pcs: str) -> str:
        """The principal diagnosis of home care: after a surgical stay, its injury or the surgery's aftercare;
        after a medical stay, its principal diagnosis when PDGM accepts it; else (and on a community referral) the
        person's chronic condition that calls for it; else the aftercare of a fall's injury."""
        if stay_dx:
            principal = subsequent(stay_dx[0])
            if pcs.startswith("0") and not principal.startswith(("S", "T")):
                return JOINT_AFTERCARE if pcs.startswith(JOINT_REPLACEMENT) else SURGICAL_AFTERCARE
            if pdgm_group(principal):
                return principal
        chronic = p.chronic_codes
        code = next((chronic[c] for c in HOME_HEALTH_REASONS if c in chronic and pdgm_group(chronic[c])), None)
        return code or subsequent(self._acute("fall_injury"))

    def _home_health(self, p, start: int, out, stays, referral: str, stay_dx: tuple[str, ...] | list[str] = (),
                     pcs: str = "") -> None:
        rng = self.rng
        if any(e.spec is HHA and e.start <= start <= e.end for e in out):
            return          # a home health period is under way: the agency resumes care within it (one at a time)
        if self._in_election(start):
            return          # a hospice patient's care at home is the hospice's
        ends = p.window_a[1] if p.death is None else min(p.window_a[1], p.death)
        last = self._before_election(start, ends)
        final = "50" if last < ends else "01"      # discharged to hospice the day before the election, or home
        periods = 1 + int(rng.geometric(HH_MORE_PERIODS)) - 1 + (rng.random() < 0.5)
        agency = pick(rng, p.pool.by_kind["hha"])
        principal = self._home_health_reason(p, list(stay_dx), pcs)
        dx = [principal, *(c for c in self._secondary(p, 5) if c != principal)]
        group = pdgm_group(principal) or "A"
        source = 0 if referral == "community" else 1
        pps = HHA.episode[0]
        for n in range(periods):
            end = min(start + HH_PERIOD_DAYS - 1, last)
            if end < start:
                return
            visits = HH_VISITS[0] + below(rng, HH_VISITS[1])
            if end - start + 1 < HH_PERIOD_DAYS:        # a period cut short (death, the period's end): fewer visits
                visits = max(1, visits * (end - start + 1) // HH_PERIOD_DAYS)
            # early/late, community/institution; the clinical group of the principal diagnosis
            code = hipps(rng, HHA.hipps, {1: str(1 + source + (2 if n else 0)), PDGM_GROUP: group})
            period = HomeHealthPeriod(visits=visits, referral="1" if referral == "community" else "2",
                                      low_use=visits < LUPA_VISITS, discharge_status="30" if end < last else final,
                                      hipps=code)
            billed = visit_lines(rng, HHA.visits, start, end, visits)
            out.append(Encounter(HHA, start, end, dx, [(pps.revenue, code, 1.0)] + [v[1:] for v in billed], agency,
                                 attending=p.pcp, facts=period, line_days=(start, *(v[0] for v in billed))))
            start = end + 1

    def _community_home_health(self, p, intensity, out, stays):
        rng, u = self.rng, self.u
        after_stay = u["inpatient_admissions_per_1000"] / 1000 * dict(DESTINATIONS)["06"] / STAYS_PER_USER
        p_comm = max(0.0, u["hha_users"] - after_stay) * years(p.window_a) * min(intensity, 3)
        if rng.random() < p_comm:
            self._home_health(p, day_in(rng, p.window_a), out, stays, referral="community")
