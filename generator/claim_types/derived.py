"""Values computed from a claim's (or a line's) facts for the ExplanationOfBenefit, as `Derived` sources.

Facts the records do not carry (IPPS add-on amounts, control numbers) are derived from ones they do, so a
claim's values stay consistent with each other.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from generator import tables
from generator.tables import table

from .values import Derived

IPPS_ADD_ON_SHARES = {          # typical shares of an IPPS DRG payment
    "ime_op_clm_val_amt": 0.05, "dsh_op_clm_val_amt": 0.04, "clm_uncompd_care_pmt_amt": 0.03,
    "clm_tot_pps_cptl_amt": 0.07, "clm_pps_cptl_fsp_amt": 0.06, "clm_pps_cptl_ime_amt": 0.005,
    "clm_pps_cptl_dsprprtnt_shr_amt": 0.005,
}


def _control_number(claim_id: str) -> str:
    return claim_id.lstrip("-").rjust(14, "0")[-14:]


CONTROL_NUMBER = Derived(("claim_id",), _control_number)
"""Claim control numbers derived from the claim id (deterministic, unique per claim)."""


def ipps_share(variable: str) -> Derived:
    """An IPPS add-on amount: its typical share of the claim's payment (0 on the stay of a hospital paid outside the
    IPPS, an IRF or LTCH)."""
    fraction = IPPS_ADD_ON_SHARES[variable]
    return Derived(("paid", "pps_excluded"), lambda paid, excluded: 0.0 if excluded else round(paid * fraction, 2))


def _classification(type_of_bill: str) -> str:
    return type_of_bill[1:2]


def _frequency(type_of_bill: str) -> str:
    return type_of_bill[2:3]


BILL_CLASSIFICATION = Derived(("type_of_bill",), _classification)
BILL_FREQUENCY = Derived(("type_of_bill",), _frequency)


def _lupa(lupa: bool) -> str | None:
    return "L" if lupa else None


LUPA_CODE = Derived(("lupa",), _lupa)
"""clm_hha_lupa_ind_cd: "L" on a low-utilization period, absent otherwise."""


def _residence(pharmacy_type: str) -> str:
    return "03" if pharmacy_type == "05" else "01"


PATIENT_RESIDENCE = Derived(("pharmacy_type",), _residence)
"""ptnt_rsdnc_cd: a nursing facility ("03") for long-term care pharmacies, else home ("01")."""


def _rate(submitted: float, quantity: float) -> float:
    return round(submitted / (quantity or 1), 2)


REVENUE_RATE = Derived(("submitted", "quantity"), _rate)
"""rev_cntr_rate_amt: a revenue line's charge per unit."""


def line_sum(key: str) -> Derived:
    """The sum of a money key over the claim's lines."""
    return Derived(("lines",), lambda lines: round(sum(line.get(key, 0.0) for line in lines), 2))


def _deductions(deductible: float, coinsurance: float) -> float:
    return round(deductible + coinsurance, 2)


DEDUCTIONS = Derived(("deductible", "coinsurance"), _deductions)
"""nch_ip_tot_ddctn_amt: the beneficiary's deductible and coinsurance together."""


@cache
def _opps_statuses() -> dict[str, str]:
    return {r["code"]: r["status"] for r in tables.table("opps_rates")}


@cache
def _kind_statuses() -> dict[str, str]:
    """The status of codes the OPPS pays by kind: separately payable drugs K (ASP+6%), therapy A (the PFS)."""
    return {r["code"]: KIND_STATUS[r["kind"]] for r in tables.table("hcpcs") if r["kind"] in KIND_STATUS}


KIND_STATUS = {"drug": "K", "therapy": "A"}


def opps_status(hcpcs: str, allowed: float = 1.0) -> str:
    """OPPS status indicator of an outpatient line: N for a line packaged into the claim's comprehensive APC (not
    paid), else the opps_rates table's, else separately payable drugs K, therapy A (paid on the PFS), visits V, labs
    and unpriced lines A, procedures S."""
    hcpcs = hcpcs or ""
    if not allowed and hcpcs:
        return "N"
    status = _opps_statuses().get(hcpcs) or _kind_statuses().get(hcpcs)
    if status:
        return status
    if hcpcs.startswith("99"):
        return "V"
    return "A" if not hcpcs or hcpcs[:1] == "8" else "S"


OPPS_STATUS = Derived(("hcpcs", "allowed"), opps_status)



@cache
def _contractors() -> dict[str, dict[str, str]]:
    return {row["state"]: row for row in table("mac_contractors")}


def contractor(column: str) -> Derived:
    """The number of the Medicare contractor that processed the claim, by the state of the provider's practice
    location (mac_contractors: `part_a` the A/B MAC's Part A number, fi_num; `part_b` its Part B number,
    carr_num; `dme` the DME MAC's)."""
    return Derived(("provider",), lambda provider: _contractors()[provider["state"]][column])


def pricing_locality(state: str) -> str:
    """carr_line_prcng_lclty_cd: the fee schedule locality of a service in the state (mac_contractors)."""
    return _contractors()[state]["locality"]


def units_indicator(hcpcs: str | None) -> str:
    """The MTUS indicator of a professional line's units by its HCPCS code: ambulance miles (A0425–A0436) "1",
    anesthesia time (00100–01999) "2", oxygen (E0424–E0486, E1390–E1392) "4", blood (P9010–P9099) "5", else
    services "3"."""
    code = hcpcs or ""
    if code.startswith("A04"):
        return "1"
    if code[:1] == "0" and code.isdigit():
        return "2"
    if "E0424" <= code <= "E0486" or "E1390" <= code <= "E1392":
        return "4"
    if code.startswith("P90"):
        return "5"
    return "3"


@cache
def _drg_weights() -> dict[str, float]:
    return {row["drg"]: float(row["weight"]) for row in table("drg")}


DRG_WEIGHT = Derived(("drg",), lambda drg: _drg_weights().get(drg, 0.0))
"""clm_pps_cptl_drg_wt_num: the relative weight of the stay's MS-DRG (the drg table)."""


def _adjustment(submitted: float, allowed: float) -> str | None:
    return "CO45" if submitted > allowed else None


def _patient_share(deductible: float, coinsurance: float) -> str | None:
    return "PR1" if deductible > 0 else "PR2" if coinsurance > 0 else None


ADJUSTMENT_REASON = Derived(("submitted", "allowed"), _adjustment)
"""rev_cntr_1st_ansi_cd: the claim adjustment reason of a revenue line, CO45 (charge exceeds the fee schedule or
payment rate) where the charge exceeds what Medicare allows."""
PATIENT_SHARE_REASON = Derived(("deductible", "coinsurance"), _patient_share)
"""rev_cntr_2nd_ansi_cd: PR1 (deductible) or PR2 (coinsurance) where the line leaves the patient a share."""


def rendering(performed_by: tuple[tuple[str, str], ...], claim: dict[str, Any],
              line: dict[str, Any]) -> dict[str, Any] | None:
    """The provider who rendered an institutional line: the claim's provider its revenue center names
    (CareTeam.performed_by; rev_cntr_rndrng_physn_npi)."""
    revenue = line["revenue"]
    for prefix, key in performed_by:
        if revenue.startswith(prefix):
            return claim.get(key)
    return None


VISIT_REVENUE = ("045", "051")      # emergency room and clinic lines: unscheduled or clinic visits carry a reason


def visit_reason(lines: list[dict[str, Any]]) -> bool:
    """Whether a claim's principal diagnosis is also the patient's reason for the visit (rsn_visit_cd1): it has an
    emergency room or clinic line."""
    return any(line["revenue"].startswith(VISIT_REVENUE) for line in lines)


@cache
def _ssa_codes() -> dict[str, str]:
    return {abbr: ssa for abbr, _, ssa, *_ in tables.rows("states")}


def clia_number(npi_: str, ssa_state: str) -> str:
    """A laboratory's CLIA certificate number in CMS's form: the 2-digit SSA state code, "D", seven digits (here
    the NPI's base digits, so each lab keeps one number)."""
    return f"{ssa_state}D{npi_[2:9]}"


def lab_clia(hcpcs: str | None, npi: str, state: str) -> str | None:
    """carr_line_clia_lab_num: the CLIA number of the lab that bills a clinical laboratory line (HCPCS
    80047–89398), else None."""
    return clia_number(npi, _ssa_codes()[state]) if hcpcs and hcpcs[:1] == "8" and hcpcs.isdigit() else None
