"""Ambulatory figures, each from its published rule or source.

- Office E/M per FFS bene-year: carrier lines of office/outpatient E/M codes (99202-99205, 99211-99215) of FFS
  beneficiaries, per FFS person-year (CMS Physician & Other Practitioners PUF counts services per line).
- Distinct carrier clinicians per user: distinct performing NPIs (the careTeam member in the `performing` role
  of a carrier line) per FFS beneficiary with a carrier claim (Pham et al., NEJM 2007).
- Same-day repeat office E/M: a clinician bills one E/M per patient per day (IOM 100-04 ch. 12 §30.6.7): office
  E/M lines beyond the first per beneficiary, performing NPI and day, of FFS beneficiaries' office E/M lines.
- New-patient after a visit: a new-patient code (99202-99205) is wrong when the same clinician billed an office
  E/M for the patient on an earlier day within the past three years (CPT); share of new-patient lines.
- New-patient share and E/M level shares: of FFS beneficiaries' office E/M lines, new-patient codes; of
  everyone's established office visits (99212-99215), each level (CMS PUF 2023).
- Flu: administrations (G0008, carrier) per beneficiary and flu season (August-July) with one; carrier claims
  with G0008 that also bill a vaccine product code.
- AWV frequency (42 CFR 410.15): a subsequent AWV needs 11 full months after the month of the last one, so an
  AWV (G0438/G0439) in a month less than 12 months after the month of the previous one breaks it; share of AWVs.
- Sex edits (Medicare Code Editor): screening mammography (77067, 77063) lines on men, screening PSA (G0103)
  lines on women, counted.
- Orders need a reason: CPAP (E0601, A7030-A7039) users without obstructive sleep apnea (G47.33) on any claim
  (LCD L33718); INR (85610) users with no anticoagulant fill and no AF (I48), PE (I26), DVT (I82) or
  long-term anticoagulant use (Z79.01) on any claim; type 1 diabetics (E10) with a Part D fill and no insulin.
- Carrier lines with a modifier; distinct carrier HCPCS and ICD-10-CM codes (any claim) of the first 5,000
  beneficiaries with claims, in EOB file order.
- Diagnoses follow the clinician (ICD-10-CM guidelines: code what the encounter addresses): carrier claims of a
  dermatologist (CMS specialty 07) or chiropractor (35) with a heart failure, IHD, AF or COPD code (I50, I25,
  I48, J44, I11.0, I13.0), share of such claims.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

from .money import FLU_PRODUCTS

NEW = frozenset({"99202", "99203", "99204", "99205"})
ESTABLISHED = ("99212", "99213", "99214", "99215")
OFFICE_EM = NEW | frozenset(ESTABLISHED) | {"99211"}
CPAP = frozenset({"E0601", *(f"A70{n}" for n in range(30, 40))})
ANTICOAGULANTS = ("WARFARIN", "APIXABAN", "RIVAROXABAN", "DABIGATRAN", "EDOXABAN")
INR_REASONS = ("I48", "I26", "I82", "Z7901")
VOCABULARY = 5000
SKIN_AND_SPINE = frozenset({"07", "35"})
CARDIOPULMONARY = ("I50", "I25", "I48", "J44", "I110", "I130")


def _season(day) -> int:
    return day.year if day.month >= 8 else day.year - 1


def figures(data) -> dict[str, float | None]:
    people = data.people
    ffs = {pid for pid, p in people.items() if p.ffs_months}
    years = sum(people[pid].ffs_months for pid in ffs) / 12
    dx: dict[str, set] = defaultdict(set)
    visits: dict[tuple[str, str], list] = defaultdict(list)     # (patient, performer) -> [(day, code)]
    clinicians: dict[str, set] = defaultdict(set)
    levels = Counter()
    flu_seasons = Counter()
    flu_claims = flu_product = lines = modified = skin_spine = skin_spine_heart = 0
    awv: dict[str, list] = defaultdict(list)
    mammography_men = psa_women = 0
    cpap, inr, fills, anticoagulant, insulin = set(), set(), set(), set(), set()
    hcpcs, icd = set(), set()
    counted: set[str] = set()
    for claim in data.claims:
        pid = claim.patient
        dx[pid].update(claim.diagnoses)
        if pid not in counted and len(counted) < VOCABULARY:
            counted.add(pid)
        if pid in counted:
            icd.update(claim.diagnoses)
        if claim.kind == "pde":
            fills.add(pid)
            name = claim.drug.upper()
            if any(a in name for a in ANTICOAGULANTS):
                anticoagulant.add(pid)
            if "INSULIN" in name:
                insulin.add(pid)
        elif claim.kind == "dme" and any(line.hcpcs in CPAP for line in claim.lines):
            cpap.add(pid)
        if claim.kind != "carrier":
            continue
        if SKIN_AND_SPINE & set(claim.specialties):
            skin_spine += 1
            skin_spine_heart += any(c.startswith(CARDIOPULMONARY) for c in claim.diagnoses)
        codes = {line.hcpcs for line in claim.lines}
        if "G0008" in codes:
            flu_claims += 1
            flu_product += bool(codes & FLU_PRODUCTS)
        female = people[pid].female if pid in people else None
        for line in claim.lines:
            lines += 1
            modified += line.modified
            if pid in counted and line.hcpcs:
                hcpcs.add(line.hcpcs)
            clinicians[pid].add(line.performer)
            code = line.hcpcs
            if line.day is None:
                continue
            if code in OFFICE_EM:
                visits[(pid, line.performer)].append((line.day, code))
                levels[code] += 1
            elif code == "G0008":
                flu_seasons[(pid, _season(line.day))] += 1
            elif code in ("G0438", "G0439"):
                awv[pid].append(line.day)
            elif code in ("77067", "77063") and female is False:
                mammography_men += 1
            elif code == "G0103" and female is True:
                psa_women += 1
            elif code == "85610":
                inr.add(pid)
    office_lines = repeats = new_lines = new_ffs = new_wrong = 0
    for (pid, _), seen in visits.items():
        seen.sort()
        days = Counter(day for day, _ in seen)
        if pid in ffs:
            office_lines += len(seen)
            repeats += sum(n - 1 for n in days.values())
            new_ffs += sum(code in NEW for _, code in seen)
        for day, code in seen:
            if code in NEW:
                new_lines += 1
                new_wrong += any(0 < (day - other).days <= 3 * 365 for other in days)
    early = total_awv = 0
    for days in awv.values():
        days.sort()
        total_awv += len(days)
        early += sum((b.year * 12 + b.month) - (a.year * 12 + a.month) < 12 for a, b in pairwise(days))
    users = [pid for pid in ffs if clinicians.get(pid)]
    type1 = [pid for pid in fills if any(c.startswith("E10") for c in dx[pid])]
    established = sum(levels[c] for c in ESTABLISHED)

    def share(a, b):
        return a / b if b else None

    out = {
        "office E/M per FFS bene-year": office_lines / years if years else None,
        "distinct carrier clinicians per user": share(sum(len(clinicians[p]) for p in users), len(users)),
        "same-day repeat office E/M, one clinician": share(repeats, office_lines),
        "new-patient E/M after a visit within 3 years": share(new_wrong, new_lines),
        "new-patient share of office E/M": share(new_ffs, office_lines),
        **{f"{code} share of established office E/M": share(levels[code], established) for code in ESTABLISHED},
        "flu administrations per user-season": share(sum(flu_seasons.values()), len(flu_seasons)),
        "flu administrations with a product line": share(flu_product, flu_claims),
        "AWVs within 11 months of the last": share(early, total_awv),
        "screening mammograms on men": float(mammography_men),
        "screening PSA tests on women": float(psa_women),
        "CPAP users without sleep apnea": share(sum("G4733" not in dx[p] for p in cpap), len(cpap)),
        "INR users without anticoagulant or AF/VTE": share(
            sum(p not in anticoagulant and not any(c.startswith(INR_REASONS) for c in dx[p]) for p in inr),
            len(inr)),
        "type 1 diabetics on Part D without insulin": share(sum(p not in insulin for p in type1), len(type1)),
        "carrier lines with a modifier": share(modified, lines),
        "distinct carrier HCPCS per 5,000 benes": float(len(hcpcs)),
        "distinct ICD-10-CM codes per 5,000 benes": float(len(icd)),
        "derm/chiro claims with a heart or lung chronic code": share(skin_spine_heart, skin_spine),
    }
    return out
