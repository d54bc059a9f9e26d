"""Ambulatory care: professional (carrier) visits, hospital outpatient visits and dialysis, and DME supplies."""
from __future__ import annotations

from generator.claim_types import TYPES
from generator.model.care.common import CareBase, day_in, nb, years
from generator.model.care_tables import ESRD_CKD_CODE, VisitKind, eligible_kinds
from generator.model.dates import month_end
from generator.model.draws import sample, weighted_index
from generator.model.providers import clinician, pick
from generator.model.records import Encounter, Person, Provider

CARRIER, DME, OUTPATIENT = TYPES["carrier"], TYPES["dme"], TYPES["outpatient"]

# Professional, outpatient, DME
ACUTE_OUTPATIENT = ("chest_pain", "fall_injury", "uti", "abdominal_pain", "dizziness", "back_pain", "syncope",
                    "cellulitis", "pneumonia")
FOLLOW_UP = ("99213", "11")      # the office visit that adds a second visit date for the CCW rule
FOLLOW_UP_DAYS = 7
DME_USERS = 0.25                 # share of beneficiaries with DME claims (at average intensity)


ORDERED = frozenset({"69", "30", "65", "dme"})
"""Visit kinds (by specialty) that the person's own clinician orders: labs, imaging, therapy, equipment."""

class Ambulatory(CareBase):
    """The professional, outpatient and DME part of the care model."""

    def _professional(self, p, intensity, out, stays):
        rng = self.rng
        n = nb(rng, self.u["carrier_claims_per_bene"] * years(p.window_b) * intensity)
        need = 2 if p.conditions and self.ccw_visits else 0     # CCW: two claims on different dates per condition
        n = max(n, need)
        kinds = eligible_kinds(CARRIER, tuple(p.chronic_codes))
        dates = sorted(self._free_day(p.window_b, stays) for _ in range(n))
        encs = [self._visit(p, self._choose_kind(kinds), d) for d in dates]
        self._show_conditions(p, encs, dates)
        out.extend(encs)

    def _outpatient(self, p, intensity, out):
        rng = self.rng
        n = nb(rng, self.u["outpatient_claims_per_bene"] * years(p.window_b) * intensity)
        kinds = eligible_kinds(OUTPATIENT, tuple(p.chronic_codes))
        for _ in range(n):
            out.append(self._visit(p, self._choose_kind(kinds), day_in(rng, p.window_b)))
        recurring = OUTPATIENT.recurring
        if p.esrd:        # dialysis: one claim a month
            day = p.window_b[0]
            while day <= p.window_b[1]:
                end = min(month_end(day), p.window_b[1])
                sessions = max(1, round((end - day + 1) * recurring.per_30_days / 30))
                out.append(Encounter(OUTPATIENT, day, end, [p.chronic_codes.get("ckd", ESRD_CKD_CODE)],
                                     [(recurring.line.revenue, recurring.line.hcpcs, float(sessions))], p.hospital))
                day = end + 1

    def _dme(self, p, intensity, out):
        rng = self.rng
        kinds = eligible_kinds(DME, tuple(p.chronic_codes))
        user_p = min(0.9, DME_USERS * intensity)
        if not kinds[0] or rng.random() >= user_p * min(1.0, years(p.window_b) * 1.5):
            return
        per_user = self.u["dme_claims_per_bene"] / DME_USERS
        n = max(1, nb(rng, per_user * years(p.window_b)))
        supplier = pick(rng, p.pool.by_kind["dme"])
        kind = self._choose_kind(kinds)
        for d in sorted(day_in(rng, p.window_b) for _ in range(n)):
            out.append(self._visit(p, kind, d, supplier))

    def _choose_kind(self, eligible: tuple[tuple[VisitKind, ...], tuple[float, ...]]) -> VisitKind:
        kinds, cumulative = eligible
        return kinds[weighted_index(self.rng, cumulative)]

    def _visit(self, p: Person, kind: VisitKind, day: int, supplier: Provider | None = None) -> Encounter:
        rng = self.rng
        random = rng.random
        main = kind.main
        lines = [main[int(len(main) * random())]]
        for extra in kind.extra:
            if random() < kind.extra_p:
                lines.append(extra)
        chronic = p.chronic_codes
        relevant = [chronic[c] for c in kind.conditions if c in chronic]
        if kind.reason == "acute" or not p.conditions:
            dx = [self._acute(ACUTE_OUTPATIENT[int(len(ACUTE_OUTPATIENT) * random())])]
        elif kind.reason == "wellness":
            dx = [self._acute("wellness")]
        else:
            dx = relevant[:1] or self._secondary(p, 1)
        more = int(3 * random())
        dx = list(dict.fromkeys(dx + relevant[1:] + self._secondary(p, more))) if more or len(relevant) > 1 else dx
        if kind.specialty == "pcp":
            performer = p.pcp
        elif kind.specialty == "dme":
            performer = None
        else:
            performer = clinician(rng, p.pool, kind.specialty)
        billing = kind.spec.visit_billing
        provider = performer if billing == "performer" else (p.hospital if billing == "hospital" else supplier)
        return Encounter(kind.spec, day, day, dx, lines, provider, performing=performer, pos=kind.pos or "",
                         referring=p.pcp if kind.specialty in ORDERED else None)

    def _show_conditions(self, p: Person, encs: list[Encounter], dates: list[int]) -> None:
        """Make each chronic condition appear on two claims with different dates (CCW's rule)."""
        if not encs:
            return
        distinct = sorted(set(dates))
        first_on: dict[int, Encounter] = {}
        for e in encs:
            first_on.setdefault(e.start, e)
        for code in p.chronic_codes.values():
            picks = sample(self.rng, distinct, 2)
            for day in picks:
                enc = first_on[day]
                if code not in enc.dx:
                    enc.dx.insert(1, code)      # right after the principal: never cut by the claim's dx limit
        if len(distinct) < 2 and p.conditions and self.ccw_visits:
            # only one visit date: add a follow-up visit on another day
            later = distinct[0] + FOLLOW_UP_DAYS
            day = later if later <= p.window_b[1] else distinct[0] - FOLLOW_UP_DAYS
            if p.window_b[0] <= day <= p.window_b[1]:
                hcpcs, pos = FOLLOW_UP
                encs.append(self._clinician_visit(CARRIER, day, hcpcs, pos,
                                                  list(p.chronic_codes.values())[:CARRIER.diagnoses.limit], p.pcp))

    def _free_day(self, window, stays) -> int:
        if not stays:
            return day_in(self.rng, window)
        for _ in range(4):
            d = day_in(self.rng, window)
            if not any(a <= d <= b for a, b in stays):
                return d
        return d
