"""Hand-made `Beneficiary` and `Claim` records (all eight claim types) for the FHIR writer tests."""
from __future__ import annotations

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 4)]


def provider(npi, name, kind="person", ccn="", taxonomy="207R00000X", specialty="11", state="CA", zip_="94110"):
    return {"npi": npi, "name": name, "kind": kind, "taxonomy": taxonomy, "specialty": specialty,
            "state": state, "zip": zip_, "ccn": ccn}


DOCTOR = provider("1234567893", "Nguyen, Anna")
SURGEON = provider("1407891336", "Patel, Raj", taxonomy="208600000X", specialty="02")
HOSPITAL = provider("1225301823", "MERCY GENERAL HOSPITAL", kind="org", ccn="050017", taxonomy="282N00000X",
                    specialty="A0")
PHARMACY = provider("1023011079", "MAIN STREET PHARMACY", kind="org", taxonomy="3336C0003X", specialty="A5")


def beneficiary(*, dead=False, medicare_advantage=False, part_d=True, part_b=True) -> dict:
    n = len(MONTHS)
    return {
        "index": 0, "bene_id": "-10000000000001", "mbi": "1S00A00AA01", "mbi_effective": "2019-04-01",
        "given": "Maria", "middle_initial": "L", "family": "Lopez", "sex": "female", "birth_date": "1950-02-11",
        "death_date": "2025-03-10" if dead else None, "race": "5", "state": "05", "state_abbr": "CA",
        "county": "San Francisco", "zip": "94110", "orec": "0", "crec": "0", "esrd": False, "ms_cd": "10",
        "ref_year": 2025, "months": MONTHS, "part_a": [True] * n, "part_b": [part_b] * n,
        "part_a_start": "2015-02-01", "part_b_start": "2015-02-01" if part_b else None,
        "part_a_end": "2025-03-10" if dead else None, "part_b_end": "2025-03-10" if dead and part_b else None,
        "a_trm_cd": "1" if dead else "0", "b_trm_cd": "1" if dead and part_b else "0",
        "dual": ["NA"] * n, "buyin": ["3" if part_b else "1"] * n,
        "part_c": (["H1234"] * n) if medicare_advantage else [""] * n,
        "part_c_pbp": "001" if medicare_advantage else "", "part_c_plan_type": "01" if medicare_advantage else "",
        "part_d": (["S5601"] * n) if part_d else ["0"] * n, "part_d_pbp": "012" if part_d else "",
        "part_d_segment": "000", "cstshr": ["09"] * n, "rdsind": ["N"] * n, "conditions": ["diabetes"],
        "last_updated": "2025-04-01T00:00:00+00:00",
    }


def _dx(code, display, role, poa=""):
    return {"code": code, "display": display, "role": role, "poa": poa}


def _money(submitted, allowed, paid, deductible, coinsurance, noncovered=0.0):
    return {"submitted": submitted, "allowed": allowed, "paid": paid, "deductible": deductible,
            "coinsurance": coinsurance, "patient_paid": round(deductible + coinsurance, 2), "noncovered": noncovered,
            "prior_payer": 0.0}


def _header(kind, claim_id, from_date, thru_date, lines, **facts):
    money = {key: round(sum(line[key] for line in lines), 2)
             for key in ("submitted", "allowed", "paid", "deductible", "coinsurance", "patient_paid", "prior_payer")}
    return {"type": kind, "claim_id": claim_id, "group_id": claim_id[:-1], "bene_id": "-10000000000001",
            "from_date": from_date, "thru_date": thru_date, "received": thru_date, "processed": "2025-02-14",
            "last_updated": "2025-02-14T00:00:00+00:00", "lines": lines, **money, **facts}


DIABETES = _dx("E119", "TYPE 2 DIABETES MELLITUS WITHOUT COMPLICATIONS", "principal")
HYPERTENSION = _dx("I10", "ESSENTIAL (PRIMARY) HYPERTENSION", "secondary")


def _revenue_line(revenue, display, hcpcs="", quantity=1.0, **money):
    return {"revenue": revenue, "revenue_display": display, "hcpcs": hcpcs, "hcpcs_display": "", "modifiers": [],
            "from_date": "2025-01-06", "thru_date": "2025-01-06", "quantity": quantity, **money}


def _professional_line(hcpcs, pos, performing, dx_index=0, **money):
    return {"hcpcs": hcpcs, "hcpcs_display": "", "modifiers": ["25"], "from_date": "2025-01-06",
            "thru_date": "2025-01-06", "quantity": 1.0, "pos": pos, "betos": "M1B", "type_of_service": "1",
            "performing": performing, "dx_index": dx_index, **money}


def claims(*, procedures=True) -> list[dict]:
    """One claim of each type for `beneficiary()`; `procedures=False` drops the ICD-10-PCS procedures."""
    stay = {"attending": DOCTOR, "operating": SURGEON if procedures else None, "referring": None,
                "diagnoses": [_dx("I214", "NON-ST ELEVATION (NSTEMI) MYOCARDIAL INFARCTION", "admitting"),
                           _dx("I214", "NON-ST ELEVATION (NSTEMI) MYOCARDIAL INFARCTION", "principal", "Y"),
                           _dx("E119", "TYPE 2 DIABETES MELLITUS WITHOUT COMPLICATIONS", "other", "Y"),
                           _dx("W010XXA", "FALL ON SAME LEVEL FROM SLIPPING, TRIPPING AND STUMBLING WITHOUT "
                                          "SUBSEQUENT STRIKING AGAINST OBJECT, INITIAL ENCOUNTER", "external", "N")],
                "procedures": [{"code": "02703ZZ", "display": "DILATION OF CORONARY ARTERY, ONE ARTERY, "
                                                           "PERCUTANEOUS APPROACH", "date": "2025-01-07"}]
                if procedures else []}
    inpatient_lines = [_revenue_line("0120", "Room & Board - Semi-private", quantity=4.0,
                                     **_money(8000.0, 0.0, 0.0, 0.0, 0.0)),
                       _revenue_line("0001", "Total charge", **_money(8000.0, 7500.0, 5824.0, 1676.0, 0.0))]
    outpatient_lines = [_revenue_line("0450", "Emergency room - general", "99284",
                                      **_money(900.0, 400.0, 320.0, 0.0, 80.0)),
                        _revenue_line("0001", "Total charge", **_money(900.0, 400.0, 320.0, 0.0, 80.0))]
    pde_line = {"ndc": "00093721401", "drug": "Metformin Hydrochloride - METFORMIN HYDROCHLORIDE",
                "from_date": "2025-01-10", "thru_date": "2025-01-10", "quantity": 60.0,
                "submitted": 12.5, "allowed": 12.5, "paid": 8.5, "patient_paid": 4.0, "deductible": 0.0,
                "coinsurance": 0.0, "prior_payer": 0.0}
    hha_lines = [_revenue_line("0023", "Home Health services paid under PPS", "1AA11",
                               **_money(2100.0, 1900.0, 1900.0, 0.0, 0.0)),
                 _revenue_line("0551", "Skilled nursing - visit charge", "G0299", quantity=5.0,
                               **_money(0.0, 0.0, 0.0, 0.0, 0.0))]
    hospice_lines = [_revenue_line("0651", "Hospice routine home care", quantity=30.0,
                                   **_money(6600.0, 6300.0, 6300.0, 0.0, 0.0))]
    return [
        _header("carrier", "-10000000000101", "2025-01-06", "2025-01-06",
                [_professional_line("99214", "11", DOCTOR, **_money(180.0, 120.0, 96.0, 0.0, 24.0)),
                 _professional_line("83036", "11", DOCTOR, dx_index=-1, **_money(30.0, 13.0, 13.0, 0.0, 0.0))],
                provider=provider("1952345678", "BAYVIEW MEDICAL GROUP", kind="org"), referring=SURGEON,
                diagnoses=[DIABETES, HYPERTENSION]),
        _header("dme", "-10000000000102", "2025-01-08", "2025-01-08",
                [dict(_professional_line("E0607", "12", None, **_money(120.0, 90.0, 72.0, 0.0, 18.0)),
                      type_of_service="P", ndc="")],
                provider=provider("1679576722", "ACME MEDICAL SUPPLY", kind="org", specialty="54",
                                  taxonomy="332B00000X"),
                referring=DOCTOR, diagnoses=[DIABETES]),
        _header("hha", "-10000000000103", "2025-01-06", "2025-02-04", hha_lines,
                provider=dict(HOSPITAL, name="SUNRISE HOME HEALTH", ccn="057001"), attending=DOCTOR, operating=None,
                referring=DOCTOR, diagnoses=[DIABETES, HYPERTENSION], type_of_bill="329", discharge_status="01",
                hha_visits=5, hha_referral="1", lupa=False),
        _header("hospice", "-10000000000104", "2025-02-01", "2025-02-28", hospice_lines,
                provider=dict(HOSPITAL, name="PEACEFUL HOSPICE", ccn="051501"), attending=DOCTOR, operating=None,
                diagnoses=[_dx("C3490", "MALIGNANT NEOPLASM OF UNSP PART OF UNSP BRONCHUS OR LUNG", "principal")],
                type_of_bill="812", discharge_status="30", patient_status="C", utilization_days=28, hospice_period=1),
        _header("inpatient", "-10000000000105", "2025-01-06", "2025-01-10", inpatient_lines, provider=HOSPITAL,
                type_of_bill="111", admission_type="1", admission_source="7", discharge_status="01",
                patient_status="A", drg="281", drg_display="ACUTE MYOCARDIAL INFARCTION W CC",
                utilization_days=4, coinsurance_days=0, **stay),
        _header("outpatient", "-10000000000106", "2025-01-20", "2025-01-20", outpatient_lines, provider=HOSPITAL,
                attending=DOCTOR, operating=None, referring=None, diagnoses=[DIABETES, HYPERTENSION],
                procedures=[{"code": "0DJ08ZZ", "display": "INSPECTION OF UPPER INTESTINAL TRACT, VIA NATURAL OR "
                                                           "ARTIFICIAL OPENING ENDOSCOPIC", "date": "2025-01-20"}]
                if procedures else [], type_of_bill="131", discharge_status="01"),
        _header("pde", "-10000000000107", "2025-01-10", "2025-01-10", [pde_line], provider=PHARMACY,
                prescriber=DOCTOR, diagnoses=[], days_supply=30, refill=0, quantity=60.0, daw="0",
                brand_generic="G", compound=False, drug_coverage="C", contract="S5601", pbp="012",
                pharmacy_type="01", paid_date="2025-01-24"),
        _header("snf", "-10000000000108", "2025-01-10", "2025-01-30", inpatient_lines[:1], provider=dict(
                    HOSPITAL, name="GREEN VALLEY SNF", ccn="055001"), type_of_bill="211", admission_type="3",
                admission_source="4", discharge_status="01", patient_status="A", drg="", utilization_days=20,
                coinsurance_days=0, qualifying_stay=("2025-01-06", "2025-01-10"), benefits_exhausted=None,
                noncovered_stay=None, **stay),
    ]
