"""Price encounters into claim records (model/records.py) with money that adds up.

One machinery for all eight claim types: each type's spec names its payment system (a pricing record with
its parameters, claim_types/spec.py) and `PRICERS` holds one pricer per payment system; cost sharing comes
from the simulated year's parameters (model/cost_sharing.py). Everywhere: allowed = paid + deductible +
coinsurance (+ prior payer, always 0 here: Medicare pays first). Lines that add up to their claim's amounts
are priced in whole cents, so the sums are exact.

The simulation is the generator's hot loop (tens of claims per beneficiary): random numbers come from
the shard's block-buffered `Draws`, and everything constant per code (fees, line templates, diagnosis
entries) is looked up once and cached.
"""
from __future__ import annotations

import math
from functools import cache
from collections.abc import Callable

import numpy as np

from generator.claim_types.spec import (ClaimType, DailyRate, DrgPayment, DrugFill, ExcludedHospital, FeeSchedule,
                                        PeriodPayment, RevenueShare, StayPerDiem, TypeOfBill)
from generator.model import identifiers
from generator.model.coding import (diagnoses, displays, drug_line, hcpcs_table, new_drug_line, professional_coding,
                                    revenue_coding)
from generator import tables
from generator.model.cost_sharing import Ledger, cents, cost_sharing, drug_tier, no_cost_sharing
from generator.model.dates import EXPORT_LAG_DAYS, iso, stamp, weekday, year_of
from generator.model.draws import Draws
from generator.model.fill_codes import fill_codes, pharmacy_type
from generator.model.records import (STILL_A_PATIENT, Claim, DialysisMonth, Encounter, Line, Procedure,
                                     still_a_patient)

PART_B_COINSURANCE = 0.2
PRIMARY_PAYS = 0.8         # a Medicare Secondary Payer line: the group health plan pays this share of the allowed
#                            amount first [U]; Medicare pays the rest, less than it would as primary, and the
#                            beneficiary owes nothing more (42 CFR 411.33: the lowest of the amounts)
FILING_LIMIT_DAYS = 365    # timely filing: a claim reaches CMS within 12 months of its last day of service
RECEIPT_TO_CWF_DAYS = 3    # the fewest days from receipt to the Common Working File
INTERIM_FIRST = "2"        # UB-04 frequency of such a claim: interim, first claim
SURGICAL_REVENUE = ("036", "049")   # operating room and ambulatory surgery lines: their clinician is the operating one
PATIENT_STATUS = {"20": "B", "40": "B", "30": "C"}       # NCH patient status by discharge status; "A" otherwise
OUTPATIENT_STATUS = "01"   # the discharge status of an outpatient claim (home)
COMPREHENSIVE_STATUS = ("J1", "J2")   # OPPS comprehensive APCs: one payment for the claim, its other lines packaged
ASC_SERVICE_TYPE = "F"      # CMS type of service of an ambulatory surgical center's facility line
COMPONENTS = frozenset(("26", "TC"))  # the modifiers that bill one component of a global fee

Pricer = Callable[["ClaimBuilder", Encounter, Claim, Ledger, bool, dict], None]


@cache
def _fee(spec: ClaimType, revenue: str, hcpcs: str, pos: str) -> float:
    """The allowed amount per unit of a Part B line: the type's fee for the revenue center, the OPPS rate of a
    facility line, else the fee schedule's amount times the type's fee factor, at its facility share for a
    professional line at a facility place of service (not a component's: modifier 26 or TC)."""
    pricing = spec.pricing
    for code, fee in pricing.unit_fees:
        if code == revenue:
            return fee
    if pricing.opps and (code := hcpcs.split("-")[0]) in _opps_rates():    # the APC pays the code, sides alike
        return _opps_rates()[code]
    row = hcpcs_table()[hcpcs]
    fee = float(row["allowed"]) * pricing.fee_factor
    if pricing.site_of_service and pos in _facility_pos() and not _component(hcpcs):
        fee *= _facility_shares().get(row["kind"], 1.0)
    return fee


def _component(hcpcs: str) -> bool:
    """Whether a line bills the professional or technical component (modifier 26 or TC): its fee is the component's
    share of the global fee (the modifiers table) and the same in every setting (the facility share of imaging is
    that professional component already)."""
    return not COMPONENTS.isdisjoint(hcpcs.split("-")[1:])


@cache
def _asc_rates() -> dict[str, float]:
    """The ASC payment system's national rate of each procedure an ambulatory surgical center bills (the
    ambulatory_surgery table)."""
    return {r["code"]: float(r["asc_rate"]) for r in tables.table("ambulatory_surgery") if r["asc_rate"]}


@cache
def _asc_coding(hcpcs: str, pos: str) -> Line:
    """The line template of a surgical center's facility line: the procedure's coding, type of service F (ASC facility
    usage for surgical services)."""
    return {**professional_coding(hcpcs, pos), "type_of_service": ASC_SERVICE_TYPE}


@cache
def _opps_rates() -> dict[str, float]:
    return {r["code"]: float(r["rate"]) for r in tables.table("opps_rates")}


@cache
def _comprehensive() -> frozenset[str]:
    """The codes whose comprehensive APC (status J1 surgery, J2 observation) pays the whole claim once."""
    return frozenset(r["code"] for r in tables.table("opps_rates") if r["status"] in COMPREHENSIVE_STATUS)


@cache
def _opps_code(hcpcs: str) -> str:
    """The code a hospital outpatient line bills for a HCPCS code (G0463 for a clinic E/M visit)."""
    return next((r["code"] for r in tables.table("opps_rates") if hcpcs in r["replaces"].split("|")), hcpcs)


@cache
def _facility_pos() -> frozenset[str]:
    return frozenset(r["pos"] for r in tables.table("facility_pos"))


@cache
def _facility_shares() -> dict[str, float]:
    return {r["kind"]: float(r["facility_share"]) for r in tables.table("facility_fees")}


@cache
def _lags() -> dict[str, tuple[float, float, int]]:
    """(log median, sigma, processing days) of each billing form's processing lag (the processing_lag table)."""
    return {r["form"]: (math.log(float(r["billing_median"])), float(r["billing_sigma"]), int(r["processing_days"]))
            for r in tables.table("processing_lag")}


@cache
def _drg_mean_days(drg: str) -> float:
    """The DRG's geometric mean length of stay (the drg table's gmlos)."""
    return float(next((r["gmlos"] for r in tables.table("drg") if r["drg"] == drg), 0) or 0)


def _money(x: float) -> float:
    """x rounded to cents (`round(x, 2)` goes through decimal digits: 5x slower)."""
    return round(x * 100) / 100


class ClaimBuilder:
    """Builds the claim records of one shard (claim ids count up within the shard)."""

    def __init__(self, shard: int, rng: np.random.Generator | Draws, export_day: int):
        claim_base, self.group_base, pde_base = identifiers.shard_id_bases(shard)
        self.id_bases = {"claim": claim_base, "pde": pde_base}
        self.rng = Draws.of(rng)
        self.seq = 0
        self.export_day = export_day
        self.period_end = export_day - EXPORT_LAG_DAYS
        self.processed: dict[int, tuple[str, str]] = {}     # by earliest processing day: (processed, last_updated)

    def build(self, enc: Encounter, bene_id: str, ledger: Ledger, lis: bool,
              part_d_plans: dict[str, tuple[str, str]]) -> Claim:
        """The claim of an encounter (`part_d_plans`: the person's Part D contract and PBP by 'YYYY-MM')."""
        random = self.rng.random
        self.seq = seq = self.seq + 1
        if seq >= identifiers.SEQ_LIMIT:
            raise ValueError(f"a shard holds at most {identifiers.SEQ_LIMIT - 1:,} claims")
        spec = enc.spec
        start, end = enc.start, enc.end
        log_median, sigma, processing = _lags()[spec.form]
        received = end + 1 + min(FILING_LIMIT_DAYS, int(math.exp(log_median + sigma * self.rng.normal())))
        earliest = received + RECEIPT_TO_CWF_DAYS + int(processing * random())
        processed = self.processed.get(earliest) or self._processed(earliest)
        from_date = iso(start)
        claim: Claim = {
            "type": spec.name, "claim_id": str(-(self.id_bases[spec.ids] + seq)),
            "group_id": str(-(self.group_base + seq)), "bene_id": bene_id, "from_date": from_date,
            "thru_date": from_date if end == start else iso(end), "received": iso(received),
            "processed": processed[0], "last_updated": processed[1],
            "provider": enc.provider.get("billing") or enc.provider,   # a group practice bills for its clinicians
            "attending": enc.attending, "operating": enc.operating, "referring": None,
            "prescriber": None, "diagnoses": diagnoses(enc) if enc.dx else [], "procedures": [], "prior_payer": 0.0}
        PRICERS[spec.pricing.__class__](self, enc, claim, ledger, lis, part_d_plans)
        return claim

    def _processed(self, earliest: int) -> tuple[str, str]:
        """(processing date, meta.lastUpdated) of a claim that can be processed from day `earliest` on: the
        following Friday, but not after the export."""
        day = min(earliest + (4 - weekday(earliest)) % 7, self.export_day)     # the next Friday (weekday 4)
        self.processed[earliest] = dates = (iso(day), stamp(day))
        return dates

    # Pricers, one per payment system ---------------------------------------------------------------
    def _fee_schedule(self, enc, claim, ledger, lis, plans):
        """Part B lines: a fee per unit, the Part B deductible, then coinsurance (in cents, so the header is the
        lines' exact sum). Professional lines carry their performing clinician; facility lines a bill type."""
        normal, random, exp = self.rng.normal, self.rng.random, math.exp
        spec = enc.spec
        pricing: FeeSchedule = spec.pricing
        year = year_of(enc.start)
        sigma, markup = pricing.sigma, pricing.charge_markup
        professional = spec.form == "professional"
        pos = enc.pos or "11"
        performing = enc.performing
        deductible_left = ledger.part_b_left(year)
        lines = []
        total_submitted = total_allowed = total_deductible = total_coinsurance = total_prior = 0
        msp = enc.primary_payer
        opps = pricing.opps
        comprehensive = _comprehensive_line(enc.lines) if opps else -1
        # the ESRD PPS bundle: a dialysis month's treatments are paid per treatment, and their rate covers the ESAs
        # (42 CFR 413.171), reported on their own lines and not paid
        bundled = isinstance(enc.facts, DialysisMonth)
        charge = 0
        coins_cap = round(cost_sharing(year)["part_a_deductible"] * 100) if opps else 0   # SSA §1833(t)(8)(C)(i)
        asc = professional and pricing.asc_specialty == enc.provider["specialty"] != ""   # a surgical center's claim
        for i, (rev, hcpcs, qty) in enumerate(enc.lines):
            if opps:
                hcpcs = _opps_code(hcpcs)
            if asc:
                template, fee = _asc_coding(hcpcs, pos), _asc_rates()[hcpcs.split("-")[0]]
            else:
                template = professional_coding(hcpcs, pos) if professional else revenue_coding(rev, hcpcs)
                fee = _fee(spec, rev, hcpcs, pos)
            if comprehensive < 0 and not (bundled and i):
                allowed = round(fee * qty * exp(sigma * normal()) * 100)
            elif i == comprehensive:    # the comprehensive APC: once for the claim, whatever the line's units
                allowed = round(fee * exp(sigma * normal()) * 100)
            else:                       # packaged into it (status N): charged, not paid
                allowed = 0
                charge = round(fee * qty * 100)
            prior = 0
            if not allowed or no_cost_sharing(template["hcpcs"]):      # the code without its modifiers
                ded = coins = 0
            elif msp:               # the primary payer paid first: no Part B deductible or coinsurance is left
                ded = coins = 0
                prior = round(PRIMARY_PAYS * allowed)
            else:
                ded = min(deductible_left, allowed) if deductible_left > 0 else 0
                deductible_left -= ded
                total_deductible += ded
                coins = round(PART_B_COINSURANCE * (allowed - ded))
                if opps and coins > coins_cap:    # a service's OPPS copayment stops at the inpatient deductible
                    coins = coins_cap
            submitted = round((allowed or charge) * markup * (1.0 + random()))
            line = _line(template, claim, qty, submitted, allowed, ded, coins)
            if prior:
                line.update(paid=(allowed - prior) / 100, prior_payer=prior / 100, primary_payer=msp)
                total_prior += prior
            if enc.line_days:       # a repetitive service's line on its own day (radiation fractions)
                line["from_date"] = line["thru_date"] = iso(enc.line_days[i])
            if professional:
                line["performing"] = performing
                if enc.modifiers:
                    line["modifiers"] = list(enc.modifiers)
            lines.append(line)
            total_submitted += submitted
            total_allowed += allowed
            total_coinsurance += coins
        ledger.meet_part_b(year, total_deductible)
        claim["lines"] = lines
        if professional:
            claim["referring"] = enc.referring
        else:   # the clinician seen at the hospital attends the visit, and operates in its operating room
            claim["attending"] = claim["attending"] or performing
            if any(rev.startswith(SURGICAL_REVENUE) for rev, _, _ in enc.lines):
                claim["operating"] = claim["operating"] or performing
            bill = spec.recurring.type_of_bill if isinstance(enc.facts, DialysisMonth) else None
            _institutional_header(spec, claim, OUTPATIENT_STATUS, spec.type_of_bill.frequency, bill)
        _set_amounts(claim, total_submitted, total_allowed, total_deductible, total_coinsurance, total_prior)

    def _drg(self, enc, claim, ledger, lis, plans):
        """An inpatient stay: the DRG payment, the Part A deductible once per benefit period, daily coinsurance
        for the period's hospital days past the 60th."""
        rng = self.rng
        spec, stay = enc.spec, enc.facts
        pricing: DrgPayment = spec.pricing
        year = year_of(enc.start)
        cs = cost_sharing(year)
        days = stay.days
        system = next(x for x in pricing.excluded if x.kind == stay.pps) if stay.pps else None
        base = cs[system.base_rate] if system else cs[pricing.base_rate]
        paid = stay.drg_weight * base * rng.lognormal(0, pricing.sigma)
        cost, outlier = self._stay_cost(pricing, stay, paid, cs, system)
        paid += outlier
        new_period, used = ledger.part_a_stay("hospital", enc.start, enc.end, days)
        ded = cs["part_a_deductible"] if new_period else 0.0
        coins_days = _coinsurance_days(pricing.coinsurance_days, used, days)
        coins = coins_days * cs[pricing.coinsurance_day]
        allowed = paid + ded + coins
        low, spread = pricing.charge_ratio
        submitted = max(cost, allowed) * (low + spread * rng.random())
        facts = {"procedure": bool(stay.procedure), "emergency": stay.admission_type == "1", "icu": stay.icu,
                 "implant": stay.implant}
        if system:
            codes = {system.hipps_revenue: stay.hipps} if system.hipps_revenue else None
            self._charge_lines(claim, self._billed(system.revenue, facts), submitted, days, codes)
            claim["pps_excluded"] = True
        else:
            self._charge_lines(claim, self._billed(pricing.revenue, facts), submitted, days)
        claim.update(paid=_money(paid), deductible=_money(ded), coinsurance=_money(coins),
                     allowed=_money(paid) + _money(ded) + _money(coins), submitted=_money(submitted),
                     patient_paid=_money(ded + coins), utilization_days=days, coinsurance_days=coins_days,
                     outlier=_money(outlier), drg=stay.drg, drg_display=displays("drg", "drg").get(stay.drg, ""),
                     admission_type=stay.admission_type, admission_source=stay.admission_source)
        if stay.procedure:
            claim["procedures"] = [Procedure(code=stay.procedure, display=displays("pcs").get(stay.procedure, ""),
                                             date=claim["from_date"])]
        self._stay_header(enc, claim, stay.discharge_status)

    def _stay_cost(self, pricing: DrgPayment, stay, paid: float, cs: dict[str, float],
                   system: ExcludedHospital | None) -> tuple[float, float]:
        """(cost, outlier payment) of a stay: its cost varies around the case-mix payment, more so the longer the
        stay runs past its group's mean; a cost past the payment plus the year's fixed-loss threshold (the IPPS's, or
        the IRF's or LTCH's own) earns the outlier share of the excess (42 CFR 412.84, 412.624(e)(5), 412.525(a))."""
        fixed_loss = system.fixed_loss if system else pricing.fixed_loss
        if not fixed_loss:
            return paid, 0.0
        mean_days = stay.mean_days or _drg_mean_days(stay.drg) or stay.days
        sigma = system.cost_sigma if system else pricing.cost_sigma
        days = min(stay.days / mean_days, pricing.cost_days_cap)
        cost = (paid * max(0.0, 1 - pricing.cost_per_day + pricing.cost_per_day * days)
                * self.rng.lognormal(-sigma * sigma / 2, sigma))
        excess = cost - paid - cs[fixed_loss]
        return cost, pricing.outlier_share * excess if excess > 0 else 0.0

    def _stay_header(self, enc: Encounter, claim: Claim, discharge_status: str) -> None:
        """A stay's discharge status and bill type: one still open at the period's end (not ended by death) is
        billed as an interim claim with the patient still there."""
        spec = enc.spec
        if still_a_patient(enc.end, self.period_end, discharge_status):
            _institutional_header(spec, claim, STILL_A_PATIENT, INTERIM_FIRST)
        else:
            _institutional_header(spec, claim, discharge_status, spec.type_of_bill.frequency)

    def _stay_per_diem(self, enc, claim, ledger, lis, plans):
        """A skilled nursing stay: a per diem for the covered days, daily coinsurance for the period's SNF days past
        the 20th."""
        rng = self.rng
        spec, stay = enc.spec, enc.facts
        pricing: StayPerDiem = spec.pricing
        cs = cost_sharing(year_of(enc.start))
        days = max(1, stay.days)
        _, used = ledger.part_a_stay("snf", enc.start, enc.end, days)
        covered = max(0, min(days, pricing.coinsurance_days[1] - used))   # the benefit period's days run out
        exhausted = covered < days      # the day the benefit ran out, and the days after it, not covered
        claim.update(benefits_exhausted=iso(enc.start + covered) if exhausted else None,
                     noncovered_stay=(iso(enc.start + covered), iso(enc.end)) if exhausted else None)
        coins_days = _coinsurance_days(pricing.coinsurance_days, used, covered)
        coins = coins_days * cs[pricing.coinsurance_day]
        allowed = covered * cs[pricing.per_diem] * rng.lognormal(0, pricing.sigma)
        coins = min(coins, allowed)
        paid = allowed - coins
        low, spread = pricing.charge_ratio
        submitted = days * cs[pricing.per_diem] * (low + spread * rng.random())
        self._charge_lines(claim, self._billed(pricing.revenue, {}), submitted, days,
                           {pricing.revenue[0].code: stay.hipps})     # the first revenue center is the PPS line
        claim.update(paid=_money(paid), deductible=0.0, coinsurance=_money(coins),
                     allowed=_money(paid) + _money(coins), submitted=_money(submitted),
                     patient_paid=_money(coins), utilization_days=covered, coinsurance_days=coins_days,
                     admission_type=stay.admission_type, admission_source=stay.admission_source, drg=stay.drg,
                     qualifying_stay=tuple(iso(d) for d in stay.qualifying_stay))
        self._stay_header(enc, claim, stay.discharge_status)

    def _period_payment(self, enc, claim, ledger, lis, plans):
        """A home health period: one payment (less for a low-utilization period), no cost sharing."""
        spec, period = enc.spec, enc.facts
        pricing: PeriodPayment = spec.pricing
        cs = cost_sharing(year_of(enc.start))
        total = cs[pricing.rate] * (pricing.low_use_factor if period.low_use else 1.0) * self.rng.lognormal(
            0, pricing.sigma)
        claim.update(hha_visits=period.visits, hha_referral=period.referral, lupa=period.low_use)
        claim["referring"] = enc.attending
        # the period's payment on its PPS (HIPPS) line; a low-utilization period is paid per visit instead
        weights = [0.0] + [qty for _, _, qty in enc.lines[1:]] if period.low_use else [1.0] + [0.0] * (
            len(enc.lines) - 1)
        self._episode_lines(enc, claim, _split_cents(total, weights), pricing.charge_markup)
        _institutional_header(spec, claim, period.discharge_status, spec.type_of_bill.frequency)

    def _daily_rate(self, enc, claim, ledger, lis, plans):
        """Hospice days: a daily rate, no cost sharing."""
        spec, month = enc.spec, enc.facts
        pricing: DailyRate = spec.pricing
        cs = cost_sharing(year_of(enc.start))
        level = self.rng.lognormal(0, pricing.sigma)      # the hospice's wage index
        if not pricing.tiers:
            allowed = _split_cents(cs[pricing.rate] * month.days * level, [1.0] + [0.0] * (len(enc.lines) - 1))
        else:
            first_60, after_60, hourly = _daily_rates(pricing.tiers, year_of(enc.start), pricing.rate)
            early = max(0, min(month.days, 60 - month.elapsed))
            allowed = [round((first_60 * early + after_60 * (month.days - early)) * level * 100)]
            dying = month.discharge_status == "40"
            for (rev, _, qty), day in zip(enc.lines[1:], enc.line_days[1:]):
                intensive = dying and rev in pricing.intensive_revenue and day > enc.end - 7
                allowed.append(round(hourly / 4 * qty * level * 100) if intensive else 0)
        claim.update(hospice_period=month.benefit_period, utilization_days=month.days)
        self._episode_lines(enc, claim, allowed, pricing.charge_markup)
        _institutional_header(spec, claim, month.discharge_status, month.frequency)

    def _drug_fill(self, enc, claim, ledger, lis, plans):
        """A Part D fill (in cents): the plan tier's cost sharing (model/cost_sharing.py), the low-income subsidy's
        part, the plan's payment the rest; the gross cost split below and above the out-of-pocket threshold."""
        rng = self.rng
        pricing: DrugFill = enc.spec.pricing
        fill = enc.facts
        drug = fill.drug
        plan = plans.get(claim["from_date"][:7], ("", ""))
        year = year_of(enc.start)
        supply = fill.days_supply
        cost_30 = float(drug["cost_30"])
        total = round(cost_30 * supply / 30 * math.exp(pricing.sigma * rng.normal()) * 100)
        brand = drug["brand_generic"] == "B"
        tier = drug_tier(drug["brand_generic"], drug["generic"], cost_30)
        copay = cents(year, pricing.lis_copays[brand]) if lis else None
        share = ledger.part_d(year, total, tier, supply / 30, copay, insulin=tier.name == pricing.insulin_tier)
        ded, patient = share.deductible, share.patient
        qty = enc.lines[0][2]
        line = _line(drug_line(drug["ndc"]) or new_drug_line(drug), claim, qty, total, total, ded, patient - ded)
        line["paid"] = (total - patient - share.subsidy) / 100
        line["subsidy"] = share.subsidy / 100
        line["gdc_below"], line["gdc_above"] = share.below / 100, share.above / 100
        claim["lines"] = [line]
        _set_amounts(claim, total, total, ded, patient - ded)
        claim["paid"] = line["paid"]
        claim.update(prescriber=enc.performing, days_supply=supply, refill=fill.refill, quantity=qty,
                     daw="0" if not brand else ("0", "1")[int(rng.random() < pricing.brand_daw_chance)],
                     brand_generic=drug["brand_generic"], compound=False, drug_coverage=pricing.drug_coverage,
                     contract=plan[0], pbp=plan[1],
                     pharmacy_type=(pharmacy := pharmacy_type(enc.provider["taxonomy"], pricing.pharmacy_type)),
                     paid_date=iso(enc.start + 1 + int(pricing.pay_lag_days * rng.random())))
        claim.update(fill_codes(rng.random, pharmacy, claim["patient_paid"], claim["paid"]))

    # Shared pieces -----------------------------------------------------------------------------------
    def _billed(self, revenue: tuple[RevenueShare, ...], facts: dict[str, bool]) -> list[RevenueShare]:
        """The revenue centers a stay bills: every one billed always, those whose condition the stay meets,
        and those whose chance comes up (one uniform each, in table order)."""
        random = self.rng.random
        return [r for r in revenue
                if (facts[r.when] if r.when else r.chance >= 1.0 or random() < r.chance)]

    def _charge_lines(self, claim: Claim, revenue: list[RevenueShare], submitted: float, days: int,
                      codes: dict[str, str] | None = None) -> None:
        """A stay's charge lines: the submitted charges split over the revenue centers by their shares (`codes`:
        the HCPCS or HIPPS code a revenue center bills)."""
        codes = codes or {}
        claim["lines"] = [
            _line(revenue_coding(r.code, codes.get(r.code, "")), claim, float(days) if r.units == "days" else 1.0,
                  cents, 0, 0, 0)
            for r, cents in zip(revenue, _split_cents(submitted, [r.share for r in revenue]))]

    def _episode_lines(self, enc: Encounter, claim: Claim, allowed: list[int], markup: float) -> None:
        """An episode's lines with their payments (`allowed`, in cents): the charges, marked up over the payment,
        spread over the lines by their units at their codes' fees; a line billed on its own day
        (`Encounter.line_days`) carries that date."""
        total = sum(allowed)
        weights = [qty * _charge_basis(hcpcs) for _, hcpcs, qty in enc.lines]
        submitted = _split_cents(total / 100 * markup * (1.0 + self.rng.random()), weights)
        lines = [_line(revenue_coding(rev, hcpcs), claim, qty, charged, amount, 0, 0)
                 for (rev, hcpcs, qty), charged, amount in zip(enc.lines, submitted, allowed)]
        for line, day in zip(lines, enc.line_days):
            line["from_date"] = line["thru_date"] = iso(day)
        claim["lines"] = lines
        _set_amounts(claim, sum(submitted), total, 0, 0)


def _comprehensive_line(lines: list[tuple[str, str, float]]) -> int:
    """The index of a claim's line paid by a comprehensive APC (the OPPS pays it for the whole claim), -1 for none."""
    codes = _comprehensive()
    return next((i for i, (_, hcpcs, _) in enumerate(lines) if hcpcs.split("-")[0] in codes), -1)


@cache
def _charge_basis(hcpcs: str) -> float:
    """A code's fee per unit as the basis of its line's charge (0 for a HIPPS code, which no fee schedule prices)."""
    row = hcpcs_table().get(hcpcs.split("-")[0]) if hcpcs else None
    return float(row["allowed"]) if row else 0.0


@cache
def _daily_rates(name: str, year: int, single: str) -> tuple[float, float, float]:
    """(days 1-60, days 61+, hourly) rates of a tiered daily rate table for a year: its row, else the nearest
    year's row scaled by the years' single daily rates (the cost_sharing column `single`)."""
    rows = {int(r["year"]): r for r in tables.table(name)}
    near = year if year in rows else min(rows, key=lambda y: abs(y - year))
    scale = 1.0 if near == year else cost_sharing(year)[single] / cost_sharing(near)[single]
    r = rows[near]
    return float(r["rhc_first_60"]) * scale, float(r["rhc_after_60"]) * scale, float(r["hourly"]) * scale


def _coinsurance_days(span: tuple[int, int], used: int, days: int) -> int:
    """The days of a stay that carry coinsurance: those of the benefit period's days after `span[0]` and through
    `span[1]`, when the period had used `used` days of the setting before the stay."""
    after, through = span
    return max(0, min(used + days, through) - max(used, after))


def _institutional_header(spec: ClaimType, claim: Claim, discharge_status: str, frequency: str,
                          bill: TypeOfBill | None = None) -> None:
    """An institutional claim's discharge and patient status, and its type of bill (the type's, or the billing
    facility's own) with the given frequency."""
    bill = bill or spec.type_of_bill
    claim["discharge_status"] = discharge_status
    claim["patient_status"] = PATIENT_STATUS.get(discharge_status, "A")
    claim["type_of_bill"] = bill.facility + bill.classification + frequency


def _split_cents(total: float, weights: list[float]) -> list[int]:
    """Split an amount in proportion to weights (equally when they are all 0) into cents that add up exactly
    to the rounded total (a part of weight 0 gets none)."""
    cents = round(total * 100)
    whole = sum(weights)
    shares = [w / whole for w in weights] if whole else [1 / len(weights)] * len(weights)
    parts = [int(s * cents) for s in shares]
    parts[shares.index(max(shares))] += cents - sum(parts)     # the rounding's cents on the largest part
    return parts


def _line(template: Line, claim: Claim, qty: float, submitted: int, allowed: int, ded: int, coins: int) -> Line:
    """A priced line: a copy of its coding's template (model/coding.py) with the claim's dates, the quantity and
    the amounts (given in cents). Copies share the template's empty modifiers list: records are never modified
    once built."""
    line = template.copy()
    line["from_date"] = claim["from_date"]
    line["thru_date"] = claim["thru_date"]
    line["quantity"] = qty
    line["submitted"] = submitted / 100
    line["allowed"] = allowed / 100
    line["paid"] = (allowed - ded - coins) / 100
    line["deductible"] = ded / 100
    line["coinsurance"] = coins / 100
    line["patient_paid"] = (ded + coins) / 100
    return line


def _set_amounts(claim: Claim, submitted: int, allowed: int, ded: int, coins: int, prior: int = 0) -> None:
    """The claim's amounts from the sums of its lines' (in cents): paid = allowed - deductible - coinsurance - what
    a primary payer paid."""
    claim.update(submitted=submitted / 100, allowed=allowed / 100, paid=(allowed - ded - coins - prior) / 100,
                 deductible=ded / 100, coinsurance=coins / 100, patient_paid=(ded + coins) / 100,
                 prior_payer=prior / 100)


PRICERS: dict[type, Pricer] = {
    FeeSchedule: ClaimBuilder._fee_schedule, DrgPayment: ClaimBuilder._drg, StayPerDiem: ClaimBuilder._stay_per_diem,
    PeriodPayment: ClaimBuilder._period_payment, DailyRate: ClaimBuilder._daily_rate, DrugFill: ClaimBuilder._drug_fill,
}
"""The pricer of each payment system, by the class of a spec's pricing record."""
