"""Price and code encounters into claim records (model/records.py) with money that adds up.

One machinery for all eight claim types; what differs is data: `CLAIM_RULES` (type of bill, payer
part, how a claim is paid) and the code/care tables. Cost sharing follows the simulated year's
Medicare parameters (the cost_sharing table): the Part B deductible then 20% coinsurance,
the Part A deductible per benefit period and coinsurance days, the Part D deductible, coinsurance and
out-of-pocket threshold (with low-income copays for dual eligibles). Everywhere:
allowed = paid + deductible + coinsurance (+ prior payer, always 0 here: Medicare pays first). Lines
that add up to their claim's amounts are priced in whole cents, so the sums are exact.

The simulation is the generator's hot loop (tens of claims per beneficiary): random numbers come from
the shard's block-buffered `Draws`, and everything constant per code (displays, fees, diagnosis
entries, line templates that each priced line copies) is looked up once and cached.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Callable

import numpy as np

from generator import tables
from generator.model import identifiers
from generator.model.draws import Draws
from generator.model.records import Claim, Diagnosis, Encounter, Line, Procedure
from generator.model.dates import iso, stamp, year_of

# Per type: facility type+classification of the type of bill ("" for professional/PDE), whose
# deductible applies ("A", "B", "D" or "" for none), and the diagnosis role of non-principal codes.
CLAIM_RULES = {
    "carrier":    {"bill": "",   "part": "B", "other_dx": "secondary"},
    "dme":        {"bill": "",   "part": "B", "other_dx": "secondary"},
    "outpatient": {"bill": "13", "part": "B", "other_dx": "other"},
    "inpatient":  {"bill": "11", "part": "A", "other_dx": "other"},
    "snf":        {"bill": "21", "part": "A", "other_dx": "other"},
    "hha":        {"bill": "32", "part": "",  "other_dx": "secondary"},
    "hospice":    {"bill": "81", "part": "",  "other_dx": "other"},
    "pde":        {"bill": "",   "part": "D", "other_dx": ""},
}
# Inpatient charges by revenue center: (code, share of charges, billed for every stay?)
INPATIENT_REVENUE = (("0120", 0.34, True), ("0250", 0.16, True), ("0300", 0.12, True), ("0320", 0.06, False),
                     ("0450", 0.05, False), ("0360", 0.18, False), ("0730", 0.03, False), ("0410", 0.06, False))
SNF_REVENUE = (("0022", 0.0, True), ("0191", 0.7, True), ("0420", 0.2, True), ("0250", 0.1, True))
MAX_DIAGNOSES = {"carrier": 12, "dme": 12, "inpatient": 25, "snf": 25, "outpatient": 25, "hha": 25, "hospice": 25}
PATIENT_STATUS = {"20": "B", "40": "B", "30": "C"}       # by discharge status; "A" otherwise


@cache
def cost_sharing(year: int) -> dict[str, float]:
    rows = {int(r["year"]): r for r in tables.table("cost_sharing")}
    row = rows.get(year) or rows[min(rows, key=lambda y: abs(y - year))]
    return {k: float(v) for k, v in row.items() if k != "year"}


@cache
def _cents(year: int, parameter: str) -> int:
    """A cost-sharing amount of the year in cents."""
    return round(cost_sharing(year)[parameter] * 100)


@cache
def _part_d_limits(year: int) -> tuple[int, int]:
    """The year's Part D (deductible, out-of-pocket threshold) in cents."""
    return _cents(year, "part_d_deductible"), _cents(year, "part_d_oop_threshold")


@cache
def hcpcs_table() -> dict[str, dict]:
    return {r["code"]: r for r in tables.table("hcpcs")}


@cache
def _displays(name: str, key: str = "code") -> dict[str, str]:
    return {r[key]: r["display"] for r in tables.table(name)}


def _fee(revenue: str, hcpcs: str, outpatient: bool) -> float:
    """Allowed amount per unit: the fee schedule, a facility markup for outpatient lines, dialysis per session."""
    if revenue == "0821":
        return 285.0
    fee = float(hcpcs_table()[hcpcs]["allowed"])
    return fee * 1.9 if outpatient else fee


# A line template's money fields (set by `_line`; noncovered and prior payer stay 0)
LINE_AMOUNTS = dict.fromkeys(("submitted", "allowed", "paid", "deductible", "coinsurance", "patient_paid", "noncovered",
                              "prior_payer"), 0.0)


@cache
def _professional_coding(rev: str, hcpcs: str, pos: str) -> tuple[float, Line]:
    """(fee per unit, line template) of a carrier or DME line: the template holds the coding's fields, the rest
    are placeholders `_line` fills in a copy."""
    row = hcpcs_table()[hcpcs]
    return _fee(rev, hcpcs, False), {
        "hcpcs": hcpcs, "hcpcs_display": row["display"], "modifiers": [], "from_date": "", "thru_date": "",
        "quantity": 0.0, "pos": pos, "pos_display": _displays("pos").get(pos, ""), "betos": row["betos"],
        "type_of_service": row["type_of_service"], "performing": None, "dx_index": 0, **LINE_AMOUNTS}


@cache
def _revenue_coding(rev: str, hcpcs: str) -> tuple[float, Line]:
    """(fee per unit on an outpatient claim, line template) of an institutional line billed by revenue center."""
    row = hcpcs_table().get(hcpcs)
    return _fee(rev, hcpcs, True) if row or rev == "0821" else 0.0, {
        "revenue": rev, "revenue_display": _displays("revenue_centers").get(rev, ""), "hcpcs": hcpcs,
        "hcpcs_display": row["display"] if row else "", "modifiers": [], "from_date": "", "thru_date": "",
        "quantity": 0.0, **LINE_AMOUNTS}


_DRUG_LINES: dict[str, Line] = {}
_drug_line = _DRUG_LINES.get       # the line template of a Part D fill by NDC, once `_new_drug_line` made it


def _new_drug_line(drug: dict) -> Line:
    """The line template of a Part D fill of a drug (see `_line`), kept by NDC."""
    _DRUG_LINES[drug["ndc"]] = line = {"ndc": drug["ndc"], "drug": drug["display"], "from_date": "", "thru_date": "",
                                       "quantity": 0.0, **LINE_AMOUNTS}
    return line


@cache
def _diagnosis(code: str, role: str, poa: str) -> Diagnosis:
    """One diagnosis entry (shared by the claims that carry it: records are never modified once built)."""
    return Diagnosis(code=code, display=icd_displays()[code], role=role, poa=poa)


@cache
def _diagnosis_roles(ctype: str) -> tuple[Callable[[str], Diagnosis], Callable[[str], Diagnosis]]:
    """A claim type's diagnosis entries by code: (principal, other)."""
    other = CLAIM_RULES[ctype]["other_dx"]
    poa = "Y" if ctype == "inpatient" else ""
    return cache(lambda code: _diagnosis(code, "principal", poa)), cache(lambda code: _diagnosis(code, other, poa))


@cache
def icd_displays() -> dict[str, str]:
    """ICD-10-CM titles of every code the code tables can produce (the icd10cm_displays table, taken from
    simple_icd_10_cm once: loading that package costs ~3 s per worker process)."""
    return dict(tables.rows("icd10cm_displays"))


def _money(x: float) -> float:
    """x rounded to cents (`round(x, 2)` goes through decimal digits: 5x slower)."""
    return round(x * 100) / 100


@dataclass
class Ledger:
    """A beneficiary's running cost sharing, by calendar year (claims must be priced in date order)."""
    part_b_met: dict[int, int] = field(default_factory=dict)       # cents, by year
    part_d_deductible: dict[int, int] = field(default_factory=dict)
    part_d_oop: dict[int, int] = field(default_factory=dict)
    last_part_a_discharge: int | None = None

    def part_b_left(self, year: int) -> int:
        """The Part B deductible the year still holds, in cents (0 or less when met)."""
        return _cents(year, "part_b_deductible") - self.part_b_met.get(year, 0)

    def meet_part_b(self, year: int, deductible: int) -> None:
        """Count Part B deductible paid (cents) towards the year's."""
        if deductible:
            self.part_b_met[year] = self.part_b_met.get(year, 0) + deductible

    def part_d(self, year: int, total: int, copay_cap: int) -> tuple[int, int]:
        """(deductible, patient pay) of a Part D fill of `total`, in cents, counted towards the year's
        out-of-pocket spending: with a low-income copay cap (cents) that copay, else the deductible, then 25%
        coinsurance until the out-of-pocket spending reaches the threshold."""
        oop = self.part_d_oop.get(year, 0)
        if copay_cap:
            ded, patient = 0, min(total, copay_cap)
        else:
            met = self.part_d_deductible.get(year, 0)
            deductible, threshold = _part_d_limits(year)
            ded = min(max(deductible - met, 0), total)
            if ded:
                self.part_d_deductible[year] = met + ded
            patient = ded + min(round(0.25 * (total - ded)), max(0, threshold - oop - ded))
        self.part_d_oop[year] = oop + patient
        return ded, patient

    def part_a_deductible(self, admit: int, year: int) -> float:
        """The inpatient deductible when this admission starts a new benefit period (60 days out)."""
        new = self.last_part_a_discharge is None or admit - self.last_part_a_discharge > 60
        return cost_sharing(year)["part_a_deductible"] if new else 0.0


class ClaimBuilder:
    """Builds the claim records of one shard (claim ids count up within the shard)."""

    def __init__(self, shard: int, rng: np.random.Generator | Draws, export_day: int):
        self.claim_base, self.group_base, self.pde_base = identifiers.shard_id_bases(shard)
        self.rng = Draws.of(rng)
        self.seq = 0
        self.export_day = export_day
        self.processed: dict[int, tuple[str, str]] = {}     # by earliest processing day: (processed, last_updated)

    def build(self, enc: Encounter, bene_id: str, ledger: Ledger, lis: bool,
              part_d_plans: dict[str, tuple[str, str]]) -> Claim:
        """The claim of an encounter (`part_d_plans`: the person's Part D contract and PBP by 'YYYY-MM')."""
        random = self.rng.random
        self.seq = seq = self.seq + 1
        if seq >= identifiers.SEQ_LIMIT:
            raise ValueError(f"a shard holds at most {identifiers.SEQ_LIMIT - 1:,} claims")
        kind = enc.ctype
        facts = enc.facts
        start, end = enc.start, enc.end
        received = end + 1 + int(10 * random())
        earliest = received + int(8 * random())
        processed = self.processed.get(earliest) or self._processed(earliest)
        from_date = iso(start)
        claim: Claim = {
            "type": kind, "claim_id": str(-((self.pde_base if kind == "pde" else self.claim_base) + seq)),
            "group_id": str(-(self.group_base + seq)), "bene_id": bene_id, "from_date": from_date,
            "thru_date": from_date if end == start else iso(end), "received": iso(received),
            "processed": processed[0], "last_updated": processed[1], "provider": enc.provider,
            "attending": facts.get("attending"), "operating": facts.get("operating"), "referring": None,
            "prescriber": None, "diagnoses": _diagnoses(enc) if enc.dx else [], "procedures": [], "prior_payer": 0.0}
        PRICERS[kind](self, enc, claim, ledger, lis, part_d_plans)
        return claim

    def _processed(self, earliest: int) -> tuple[str, str]:
        """(processing date, meta.lastUpdated) of a claim that can be processed from day `earliest` on: the
        following Friday, but not after the export."""
        day = min(earliest + (4 - (earliest - 1) % 7) % 7, self.export_day)    # (ordinal - 1) % 7: weekday, Monday 0
        self.processed[earliest] = dates = (iso(day), stamp(day))
        return dates

    # Pricers, one per payment system ---------------------------------------------------------------
    def _part_b(self, enc, claim, ledger, lis, plans):
        """Carrier, DME and outpatient lines: a fee per unit, the Part B deductible, then 20% coinsurance
        (in cents, so the header is the lines' exact sum)."""
        normal, random, exp = self.rng.normal, self.rng.random, math.exp
        year = year_of(enc.start)
        outpatient = enc.ctype == "outpatient"
        sigma, markup = (0.15, 1.5) if outpatient else (0.12, 1.4)
        pos = enc.pos or "11"
        performing = enc.performing
        deductible_left = ledger.part_b_left(year)
        lines = []
        total_submitted = total_allowed = total_deductible = total_coinsurance = 0
        for rev, hcpcs, qty in enc.lines:
            fee, template = _revenue_coding(rev, hcpcs) if outpatient else _professional_coding(rev, hcpcs, pos)
            allowed = round(fee * qty * exp(sigma * normal()) * 100)
            if deductible_left > 0:
                ded = min(deductible_left, allowed)
                deductible_left -= ded
                total_deductible += ded
            else:
                ded = 0
            coins = round(0.2 * (allowed - ded))
            submitted = round(allowed * markup * (1.0 + random()))
            line = _line(template, claim, qty, submitted, allowed, ded, coins)
            if not outpatient:
                line["performing"] = performing
            lines.append(line)
            total_submitted += submitted
            total_allowed += allowed
            total_coinsurance += coins
        ledger.meet_part_b(year, total_deductible)
        claim["lines"] = lines
        if outpatient:
            self._institutional_header(enc, claim, frequency="1")
        else:
            claim["referring"] = performing if enc.ctype == "dme" else None
        _set_amounts(claim, total_submitted, total_allowed, total_deductible, total_coinsurance)

    def _inpatient(self, enc, claim, ledger, lis, plans):
        rng = self.rng
        year = year_of(enc.start)
        cs = cost_sharing(year)
        days = enc.facts["days"]
        paid = enc.facts["drg_weight"] * cs["inpatient_base_rate"] * rng.lognormal(0, 0.15)
        ded = ledger.part_a_deductible(enc.start, year)
        coins_days = max(0, min(days, 90) - 60)
        coins = coins_days * cs["part_a_coinsurance_day"]
        ledger.last_part_a_discharge = enc.end
        allowed = paid + ded + coins
        submitted = allowed * (3.0 + 2.0 * rng.random())
        surgical = bool(enc.facts.get("pcs"))
        emergency = enc.facts["admission_type"] == "1"
        revenue = [(c, s) for c, s, always in INPATIENT_REVENUE
                   if always or (c == "0360" and surgical) or (c == "0450" and emergency)
                   or (c in ("0320", "0730", "0410") and rng.random() < 0.5)]
        self._charge_lines(claim, revenue, submitted, {"0120": float(days)})
        claim.update(paid=_money(paid), deductible=_money(ded), coinsurance=_money(coins),
                     allowed=_money(paid) + _money(ded) + _money(coins), submitted=_money(submitted),
                     patient_paid=_money(ded + coins), utilization_days=days, coinsurance_days=coins_days,
                     drg=enc.facts["drg"], drg_display=_displays("drg", "drg").get(enc.facts["drg"], ""),
                     admission_type=enc.facts["admission_type"],
                     admission_source="7" if emergency else "1")
        if surgical:
            pcs = enc.facts["pcs"]
            claim["procedures"] = [Procedure(code=pcs, display=_displays("pcs").get(pcs, ""),
                                             date=claim["from_date"])]
        self._institutional_header(enc, claim, frequency="1")

    def _snf(self, enc, claim, ledger, lis, plans):
        rng = self.rng
        cs = cost_sharing(year_of(enc.start))
        days = max(1, enc.facts["days"])
        coins_days = max(0, min(days, 100) - 20)
        coins = coins_days * cs["snf_coinsurance_day"]
        allowed = days * cs["snf_per_diem"] * rng.lognormal(0, 0.1)
        coins = min(coins, allowed)
        paid = allowed - coins
        submitted = allowed * (1.3 + 0.7 * rng.random())
        self._charge_lines(claim, [(c, s) for c, s, _ in SNF_REVENUE], submitted, {"0191": float(days), "0022": 1.0})
        claim.update(paid=_money(paid), deductible=0.0, coinsurance=_money(coins),
                     allowed=_money(paid) + _money(coins), submitted=_money(submitted),
                     patient_paid=_money(coins), utilization_days=days, coinsurance_days=coins_days,
                     admission_type="3", admission_source="4", drg=enc.facts["drg"],
                     qualifying_stay=tuple(iso(d) for d in enc.facts["qualifying_stay"]))
        self._institutional_header(enc, claim, frequency="1")

    def _flat_institutional(self, enc, claim, ledger, lis, plans):
        """Home health (a 30-day period payment) and hospice (a per diem): no cost sharing."""
        rng = self.rng
        cs = cost_sharing(year_of(enc.start))
        if enc.ctype == "hha":
            total = cs["hha_period"] * (0.35 if enc.facts["lupa"] else 1.0) * rng.lognormal(0, 0.15)
            claim.update(hha_visits=enc.facts["visits"], hha_referral=enc.facts["referral"], lupa=enc.facts["lupa"])
            claim["referring"] = enc.facts.get("attending")
        else:
            total = cs["hospice_rhc_per_diem"] * enc.facts["days"] * rng.lognormal(0, 0.05)
            claim.update(hospice_period=enc.facts["hospice_period"], utilization_days=enc.facts["days"])
        random = rng.random
        allowed = _split_cents(total, [qty for _, _, qty in enc.lines])
        submitted = [round(amount * 1.5 * (1.0 + random())) for amount in allowed]
        claim["lines"] = [_line(_revenue_coding(rev, hcpcs)[1], claim, qty, charged, amount, 0, 0)
                          for (rev, hcpcs, qty), charged, amount in zip(enc.lines, submitted, allowed)]
        self._institutional_header(enc, claim, frequency=enc.facts.get("frequency", "1"))
        _set_amounts(claim, sum(submitted), sum(allowed), 0, 0)

    def _pde(self, enc, claim, ledger, lis, plans):
        """A Part D fill (in cents): the deductible, 25% coinsurance up to the out-of-pocket threshold, or the
        low-income subsidy's copay."""
        rng = self.rng
        facts = enc.facts
        drug = facts["drug"]
        plan = plans.get(claim["from_date"][:7], ("", ""))
        year = year_of(enc.start)
        supply = facts["days_supply"]
        total = round(drug["cost_30"] * supply / 30 * math.exp(0.12 * rng.normal()) * 100)     # lognormal(0, 0.12)
        brand = drug["brand_generic"] == "B"
        ded, patient = ledger.part_d(year, total, (1215 if brand else 490) if lis else 0)
        qty = enc.lines[0][2]
        claim["lines"] = [_line(_drug_line(drug["ndc"]) or _new_drug_line(drug), claim, qty, total, total, ded,
                                patient - ded)]
        _set_amounts(claim, total, total, ded, patient - ded)
        claim.update(prescriber=enc.performing, days_supply=supply, refill=facts["refill"], quantity=qty,
                     daw="0" if not brand else ("0", "1")[int(rng.random() < 0.2)], brand_generic=drug["brand_generic"],
                     compound=False, drug_coverage="C", contract=plan[0], pbp=plan[1], pharmacy_type="01",
                     paid_date=iso(enc.start + 1 + int(14 * rng.random())))

    # Shared pieces -----------------------------------------------------------------------------------
    def _charge_lines(self, claim, revenue, submitted, units):
        claim["lines"] = [_line(_revenue_coding(code, "")[1], claim, units.get(code, 1.0), cents, 0, 0, 0)
                          for (code, _), cents in zip(revenue, _split_cents(submitted, [s for _, s in revenue]))]

    def _institutional_header(self, enc, claim, frequency):
        status = enc.facts.get("discharge_status", "01")
        claim["discharge_status"] = status
        claim["patient_status"] = PATIENT_STATUS.get(status, "A")
        claim["type_of_bill"] = CLAIM_RULES[enc.ctype]["bill"] + frequency


def _diagnoses(enc: Encounter) -> list[Diagnosis]:
    """The diagnoses of a claim with some (principal first, then the type's other role; inpatient and SNF claims repeat the
    principal as the admitting diagnosis), cut to the type's limit."""
    ctype, dx = enc.ctype, enc.dx
    principal, other = _diagnosis_roles(ctype)
    out = list(map(other, dx))
    out[0] = principal(dx[0])
    if len(out) > MAX_DIAGNOSES[ctype]:
        del out[MAX_DIAGNOSES[ctype]:]
    if ctype in ("inpatient", "snf"):
        out.insert(1, _diagnosis(dx[0], "admitting", ""))
    return out


def _split_cents(total: float, weights: list[float]) -> list[int]:
    """Split an amount in proportion to weights (equally when they are all 0) into cents that add up exactly
    to the rounded total."""
    cents = round(total * 100)
    whole = sum(weights)
    shares = [w / whole for w in weights] if whole else [1 / len(weights)] * len(weights)
    parts = [int(s * cents) for s in shares]
    parts[0] += cents - sum(parts)
    return parts


def _line(template: Line, claim: Claim, qty: float, submitted: int, allowed: int, ded: int, coins: int) -> Line:
    """A priced line: a copy of its coding's template (`_professional_coding`, `_revenue_coding`, `_new_drug_line`)
    with the claim's dates, the quantity and the amounts (given in cents). Copies share the template's empty
    modifiers list: records are never modified once built."""
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


def _set_amounts(claim: Claim, submitted: int, allowed: int, ded: int, coins: int) -> None:
    """The claim's amounts from the sums of its lines' (in cents): paid = allowed - deductible - coinsurance."""
    claim.update(submitted=submitted / 100, allowed=allowed / 100, paid=(allowed - ded - coins) / 100,
                 deductible=ded / 100, coinsurance=coins / 100, patient_paid=(ded + coins) / 100)


PRICERS = {
    "carrier": ClaimBuilder._part_b, "dme": ClaimBuilder._part_b,
    "outpatient": ClaimBuilder._part_b, "inpatient": ClaimBuilder._inpatient, "snf": ClaimBuilder._snf,
    "hha": ClaimBuilder._flat_institutional, "hospice": ClaimBuilder._flat_institutional,
    "pde": ClaimBuilder._pde,
}
