"""The portal's test-user directory: every loaded beneficiary's login, name, age, conditions and claim counts.

Conditions are read off the stored claims: a chronic condition shows when any non-drug claim carries a
diagnosis in its ICD-10-CM families (a simple reading, looser than the CCW algorithm `medisynth stats`
applies). The summaries are computed once per loaded dataset and kept in memory (keyed by the store
file and its load time), so searching and paging never rescan the claims.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date

from sandbox.auth.users import display_name, password, username
from sandbox import store
from dataset_contract import CLAIM_TYPES

# Chronic conditions a developer might want to test with, as ICD-10-CM code prefixes (dots removed).
CONDITIONS: dict[str, tuple[str, ...]] = {
    "Diabetes": ("E08", "E09", "E10", "E11", "E13"),
    "Hypertension": ("I10", "I11", "I12", "I13", "I15", "I16"),
    "Hyperlipidemia": ("E78",),
    "Ischemic heart disease": ("I20", "I21", "I22", "I23", "I24", "I25"),
    "Heart failure": ("I50", "I110", "I130", "I132"),
    "Atrial fibrillation": ("I48",),
    "Chronic kidney disease": ("N18", "N19"),
    "COPD": ("J41", "J42", "J43", "J44"),
    "Asthma": ("J45",),
    "Depression": ("F32", "F33"),
    "Dementia": ("F01", "F02", "F03", "G30", "G31"),
    "Stroke": ("I63", "I64", "G45"),
    "Arthritis": ("M05", "M06", "M15", "M16", "M17", "M18", "M19"),
    "Osteoporosis": ("M80", "M81"),
    "Cataract": ("H25", "H26"),
    "Glaucoma": ("H40",),
    "Hypothyroidism": ("E03",),
    "Anemia": ("D50", "D51", "D52", "D53", "D63", "D64"),
    "Benign prostatic hyperplasia": ("N40",),
    "Breast cancer": ("C50",),
    "Prostate cancer": ("C61",),
    "Lung cancer": ("C34",),
    "Colorectal cancer": ("C18", "C19", "C20"),
}
_PREFIX_LENGTHS = sorted({len(p) for prefixes in CONDITIONS.values() for p in prefixes})
_CONDITION_BY_PREFIX = {p: name for name, prefixes in CONDITIONS.items() for p in prefixes}
# A diagnosis coding in the stored bytes: {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E119", …}
_ICD10CM_CODE = re.compile(rb'"http://hl7\.org/fhir/sid/icd-10-cm"\s*,\s*"code"\s*:\s*"([A-Z0-9.]+)"')


@dataclass(frozen=True)
class UserSummary:
    """One beneficiary as the test-user list shows it."""
    ordinal: int
    patient_id: str
    name: str
    sex: str
    birth_date: str
    age: int | None
    conditions: tuple[str, ...]
    claims: dict[str, int]

    @property
    def username(self) -> str:
        return username(self.ordinal)

    @property
    def password(self) -> str:
        return password(self.ordinal)

    @property
    def total_claims(self) -> int:
        return sum(self.claims.values())


def _age(birth_date: str | None, today: date) -> int | None:
    if not birth_date:
        return None
    born = date.fromisoformat(birth_date[:10])
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def conditions_in(codes) -> set[str]:
    """The CONDITIONS named by ICD-10-CM `codes` (with or without dots)."""
    found = set()
    for code in codes:
        code = code.replace(".", "")
        for length in _PREFIX_LENGTHS:
            if code[:length] in _CONDITION_BY_PREFIX:
                found.add(_CONDITION_BY_PREFIX[code[:length]])
    return found


_cache: dict[str, tuple[str, tuple[UserSummary, ...]]] = {}  # store path → (its load time, summaries)


def user_summaries(conn: sqlite3.Connection, db_path: str) -> tuple[UserSummary, ...]:
    """Every loaded beneficiary, in login order (cached until the store is reloaded)."""
    loaded_at = store.loaded_at(conn)
    cached = _cache.get(db_path)
    if cached is None or cached[0] != loaded_at:
        _cache[db_path] = (loaded_at, _summarise(conn))
    return _cache[db_path][1]


def _summarise(conn: sqlite3.Connection) -> tuple[UserSummary, ...]:
    claims: dict[str, dict[str, int]] = {}
    for patient_id, claim_type, n in store.claim_counts(conn):
        claims.setdefault(patient_id, {})[claim_type] = n
    codes: dict[str, set] = {}
    for patient_id, raw in store.medical_claims(conn):
        codes.setdefault(patient_id, set()).update(m.decode() for m in _ICD10CM_CODE.findall(raw))
    today = date.today()
    rows = store.patients_in_login_order(conn)
    return tuple(UserSummary(ordinal=r["ordinal"], patient_id=r["id"], name=display_name(r), sex=r["sex"] or "",
                          birth_date=r["birth_date"] or "", age=_age(r["birth_date"], today),
                          conditions=tuple(sorted(conditions_in(codes.get(r["id"], ())))),
                          claims={t: claims.get(r["id"], {}).get(t, 0) for t in CLAIM_TYPES})
                 for r in rows)


@dataclass(frozen=True)
class UserFilter:
    """What the test-user search asks for; empty fields match everyone."""
    text: str = ""
    condition: str = ""
    claim_type: str = ""

    def matches(self, user: UserSummary) -> bool:
        text = self.text.strip().lower()
        return ((not text or any(text in field.lower() for field in (user.username, user.name, user.patient_id)))
                and (not self.condition or self.condition in user.conditions)
                and (not self.claim_type or user.claims.get(self.claim_type, 0) > 0))


def find_user(users: tuple[UserSummary, ...], patient_id: str) -> UserSummary | None:
    return next((u for u in users if u.patient_id == patient_id), None)
