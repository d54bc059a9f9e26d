"""Sample one shard of beneficiaries as numpy arrays: who they are, how they are covered, what they have.

Everything is vectorized per shard and drawn from the shard's own random generator, so a shard's
people depend only on (profile, seed, shard index). Chronic conditions are drawn jointly: a latent
frailty score, age, sex, disability and a few clinical dependencies (diabetes → CKD → hypertension…)
shape each condition's odds, and each condition's intercept is calibrated so its prevalence matches
the profile (see `condition_model`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from generator import tables
from generator.profile import CONDITIONS, Profile

# How each condition responds to frailty (z), age (per 10 years over 65), male sex, disability
# (entitled under 65), dual status, and other conditions drawn before it (log-odds).
# Conditions are drawn in this order, so a parent always precedes its children.
CONDITION_EFFECTS: dict[str, dict] = {
    "diabetes":               {"z": 0.9, "age": 0.0, "male": 0.15, "disabled": 0.3, "dual": 0.4},
    "ckd":                    {"z": 1.0, "age": 0.45, "male": 0.1, "parents": {"diabetes": 1.2}},
    "hypertension":           {"z": 0.9, "age": 0.35, "parents": {"diabetes": 1.3, "ckd": 1.2}},
    "hyperlipidemia":         {"z": 0.7, "age": 0.0, "male": 0.1, "disabled": -0.4,
                               "parents": {"diabetes": 0.9, "hypertension": 0.9}},
    "ischemic_heart_disease": {"z": 1.0, "age": 0.35, "male": 0.6,
                               "parents": {"diabetes": 0.5, "hypertension": 0.6, "hyperlipidemia": 0.8}},
    "heart_failure":          {"z": 1.2, "age": 0.55, "male": 0.15,
                               "parents": {"ischemic_heart_disease": 0.9, "ckd": 0.6, "hypertension": 0.5}},
    "atrial_fibrillation":    {"z": 0.8, "age": 0.7, "male": 0.35,
                               "parents": {"heart_failure": 1.0, "hypertension": 0.4}},
    "stroke":                 {"z": 1.0, "age": 0.45,
                               "parents": {"atrial_fibrillation": 0.8, "hypertension": 0.5, "diabetes": 0.3}},
    "arthritis":              {"z": 0.7, "age": 0.3, "male": -0.4, "disabled": 0.2},
    "anemia":                 {"z": 1.1, "age": 0.35, "parents": {"ckd": 1.0}},
    "depression":             {"z": 1.0, "age": -0.15, "male": -0.5, "disabled": 1.3, "dual": 0.5},
    "dementia":               {"z": 1.0, "age": 1.3, "male": -0.1, "dual": 0.4,
                               "parents": {"stroke": 0.8, "depression": 0.4}},
    "cataract":               {"z": 0.4, "age": 0.6, "male": -0.1, "disabled": -0.8, "parents": {"diabetes": 0.3}},
    "glaucoma":               {"z": 0.4, "age": 0.45, "parents": {"diabetes": 0.3}},
    "hypothyroidism":         {"z": 0.5, "age": 0.2, "male": -1.2},
    "copd":                   {"z": 1.1, "age": 0.2, "disabled": 0.5, "dual": 0.4},
    "asthma":                 {"z": 0.7, "age": -0.2, "male": -0.4, "disabled": 0.4, "parents": {"copd": 0.8}},
    "osteoporosis":           {"z": 0.6, "age": 0.6, "male": -1.8},
    "bph":                    {"z": 0.3, "age": 0.5, "only": "male"},
    "prostate_cancer":        {"z": 0.3, "age": 0.3, "only": "male"},
    "breast_cancer":          {"z": 0.3, "age": 0.1, "only": "female"},
    "lung_cancer":            {"z": 0.8, "age": 0.2, "parents": {"copd": 1.3}},
    "colorectal_cancer":      {"z": 0.5, "age": 0.3},
}
assert set(CONDITION_EFFECTS) == set(CONDITIONS), "every profile condition needs effects"
CONDITION_ORDER = tuple(CONDITION_EFFECTS)

AGE_BAND_RANGES = {"65-69": (65, 70), "70-74": (70, 75), "75-79": (75, 80), "80-84": (80, 85), "85+": (85, 100)}
CALIBRATION_SIZE = 40_000
DUAL_PART_D = 0.95          # share of dual eligibles in Part D (auto-enrolled with the low-income subsidy)
CALIBRATION_SEED = 20251123


@dataclass
class Shard:
    """One shard of beneficiaries as parallel arrays (length n); dates are numpy datetime64[D]."""
    start_index: int
    n: int
    female: np.ndarray          # bool
    age: np.ndarray             # float years at period start
    birth: np.ndarray           # datetime64[D]
    disabled: np.ndarray        # bool: entitled under 65 by disability
    esrd: np.ndarray            # bool
    dual: np.ndarray            # bool (full period)
    race: np.ndarray            # str RTI code
    state: np.ndarray           # int index into the states table
    frailty: np.ndarray         # float latent score (standard normal)
    conditions: np.ndarray      # bool [n, len(CONDITION_ORDER)]
    part_b: np.ndarray          # bool
    part_d: np.ndarray          # bool
    ma: np.ndarray              # bool: Medicare Advantage (Part C) enrollee
    death: np.ndarray           # datetime64[D], NaT when alive at period end
    entitlement: np.ndarray     # datetime64[D]: Part A entitlement start


def _choice_index(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """n indices into list(shares), drawn with the shares as weights."""
    p = np.array(list(shares.values()), dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _choice(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    return np.array(list(shares), dtype=object)[_choice_index(rng, shares, n)]


@cache
def _state_shares() -> tuple[np.ndarray, np.ndarray]:
    rows = tables.table("states")
    share = np.array([float(r["share"]) for r in rows])
    return np.array([r["abbr"] for r in rows], dtype=object), share / share.sum()


def _sample_states(rng, profile: Profile, n: int) -> np.ndarray:
    abbrs, national = _state_shares()
    chosen = profile.population["states"]
    if chosen == "national":
        p = national
    else:
        p = np.array([chosen.get(a, 0.0) for a in abbrs])
        p = p / p.sum()
    return rng.choice(len(abbrs), size=n, p=p)


def sample_demographics(profile: Profile, rng: np.random.Generator, n: int) -> dict:
    """Sex, age, disability/ESRD entitlement, dual status and race for n people."""
    pop = profile.population
    female = rng.random(n) < pop["female_share"]
    disabled = rng.random(n) < pop["under_65_share"]
    bands = dict(pop["age_bands"])
    band = _choice_index(rng, bands, n)
    lo, hi = np.array([AGE_BAND_RANGES[b] for b in bands], dtype=float).T[:, band]
    # 85+: ages thin out quickly; draw from a truncated exponential-ish tail
    age = lo + (hi - lo) * np.where(band == list(bands).index("85+"), rng.random(n) ** 2.2, rng.random(n))
    young = 21 + 44 * rng.beta(2.6, 1.3, size=n)        # disabled beneficiaries skew to their 50s and early 60s
    age = np.where(disabled, young, age)
    # ESRD: a share of everyone; most ESRD-only entitlement is under 65
    esrd = rng.random(n) < pop["esrd_share"]
    dual_p = np.where(disabled, pop["dual_share"]["under_65"], pop["dual_share"]["aged"])
    dual = rng.random(n) < dual_p
    race = _choice(rng, dict(pop["race"]), n)
    return {"female": female, "disabled": disabled, "age": age, "esrd": esrd, "dual": dual, "race": race}


def _condition_logits_base(name: str, demo: dict, z: np.ndarray, drawn: dict) -> np.ndarray:
    eff = CONDITION_EFFECTS[name]
    age10 = (np.maximum(demo["age"], 65) - 65) / 10
    logit = eff.get("z", 0) * z + eff.get("age", 0) * age10 \
        + eff.get("male", 0) * ~demo["female"] + eff.get("disabled", 0) * demo["disabled"] \
        + eff.get("dual", 0) * demo["dual"]
    for parent, w in eff.get("parents", {}).items():
        logit = logit + w * drawn[parent]
    only = eff.get("only")
    if only == "male":
        logit = np.where(demo["female"], -np.inf, logit)
    elif only == "female":
        logit = np.where(demo["female"], logit, -np.inf)
    return logit


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _fit_intercept(base: np.ndarray, target: float) -> float:
    """The intercept a so that mean(sigmoid(a + base)) == target (base may hold ±inf): Newton's method on
    the mean from the logit of the target, kept inside a shrinking bracket (a bisection step whenever
    Newton would leave it); 3-4 iterations."""
    if target <= 0:
        return -np.inf
    if target >= 1:
        return np.inf
    odds = np.exp(-base)            # sigmoid(a + base) == 1 / (1 + exp(-a) * odds)
    p, square = np.empty_like(odds), np.empty_like(odds)
    finite = base[np.isfinite(base)]
    lo, hi = -30.0, 30.0
    a = min(max(math.log(target / (1 - target)) - (finite.mean() if finite.size else 0.0), lo), hi)
    for _ in range(100):
        np.multiply(odds, math.exp(-a), out=p)
        p += 1.0
        np.reciprocal(p, out=p)
        mean = p.mean()
        if mean < target:
            lo = a
        else:
            hi = a
        slope = mean - np.multiply(p, p, out=square).mean()        # mean(p * (1 - p))
        step = a + (target - mean) / slope if slope > 0 else hi + 1.0
        step = step if lo < step < hi else (lo + hi) / 2
        if abs(step - a) < 1e-6:        # quadratic convergence: the new step is within ~1e-12
            return step
        a = step
    return a


_CONDITION_MODELS: dict[str, dict[str, float]] = {}


def condition_model(profile: Profile) -> dict[str, float]:
    """Per-condition intercepts that reproduce the profile's prevalences, fitted once per process."""
    key = profile.fingerprint
    if key not in _CONDITION_MODELS:
        _CONDITION_MODELS[key] = _fit_condition_model(profile)
    return _CONDITION_MODELS[key]


def _fit_condition_model(profile: Profile) -> dict[str, float]:
    """Fit each intercept on a fixed calibration cohort, in CONDITION_ORDER (parents first)."""
    rng = np.random.default_rng(CALIBRATION_SEED)
    demo = sample_demographics(profile, rng, CALIBRATION_SIZE)
    z = rng.standard_normal(CALIBRATION_SIZE)
    drawn: dict[str, np.ndarray] = {}
    intercepts = {}
    for name in CONDITION_ORDER:
        base = _condition_logits_base(name, demo, z, drawn)
        if name == "ckd":
            base = np.where(demo["esrd"], np.inf, base)
        intercepts[name] = _fit_intercept(base, profile.conditions[name])
        drawn[name] = rng.random(CALIBRATION_SIZE) < _sigmoid(intercepts[name] + base)
    return intercepts


def systematic_draws(rng, p: np.ndarray) -> np.ndarray:
    """Bernoulli draws with probabilities p (each person has the condition with exactly their probability) whose
    total is sum(p) up to one: systematic sampling, one uniform offset on the running sum, a person drawn when it
    crosses an integer. Independent draws would add a binomial error to each shard's count (±14% relative for a
    1% condition in 5,000 people, more than a rare condition's tolerance); the people are in random order, so who
    has the condition stays random."""
    total = np.cumsum(p) + rng.random()
    return np.floor(total) > np.floor(total - p)


def sample_conditions(profile: Profile, rng, demo: dict, z: np.ndarray) -> np.ndarray:
    """Chronic conditions, drawn jointly in CONDITION_ORDER: bool [n, len(CONDITION_ORDER)] (`systematic_draws`)."""
    intercepts = condition_model(profile)
    n = len(z)
    drawn: dict[str, np.ndarray] = {}
    out = np.zeros((n, len(CONDITION_ORDER)), dtype=bool)
    for k, name in enumerate(CONDITION_ORDER):
        base = _condition_logits_base(name, demo, z, drawn)
        if name == "ckd":
            base = np.where(demo["esrd"], np.inf, base)
        drawn[name] = out[:, k] = systematic_draws(rng, _sigmoid(intercepts[name] + base))
    return out


def _mortality(profile: Profile, demo: dict, z: np.ndarray, n_conditions: np.ndarray) -> np.ndarray:
    """Annual probability of death per person (age band × sex × dual × frailty)."""
    pop = profile.population
    rates = pop["annual_mortality"]
    age = demo["age"]
    q = np.full(len(age), rates["under-65"])
    for band, (lo, hi) in AGE_BAND_RANGES.items():
        q = np.where(~demo["disabled"] & (age >= lo) & (age < hi), rates[band], q)
    mult = np.where(demo["female"], 1.0, pop["mortality_multiplier"]["male"]) \
        * np.where(demo["dual"], pop["mortality_multiplier"]["dual"], 1.0)
    # frailty and illness burden concentrate deaths among the sick, normalised to keep the mean
    risk = np.exp(0.45 * z + 0.12 * n_conditions)
    risk = risk / risk.mean()
    return np.clip(q * mult * risk, 0, 0.95)


def sample_shard(profile: Profile, rng: np.random.Generator, start_index: int, n: int) -> Shard:
    """Draw n beneficiaries: demographics, conditions, enrollment, death."""
    pop = profile.population
    demo = sample_demographics(profile, rng, n)
    z = rng.standard_normal(n)
    conditions = sample_conditions(profile, rng, demo, z)
    start = np.datetime64(profile.period_start, "D")
    end = np.datetime64(profile.period_end, "D")

    # ages are as of the period's end (the profile's age mix describes the enrolled population then);
    # someone who turns 65 during the period enrolls that month
    birth = end - (demo["age"] * 365.25).astype("timedelta64[D]")
    # Part A entitlement: the 65th birthday month for the aged; some years back for the disabled
    at65 = birth.astype("datetime64[M]").astype("datetime64[D]") + np.timedelta64(int(65 * 365.25), "D")
    at65 = at65.astype("datetime64[M]").astype("datetime64[D]")
    years_back = (rng.random(n) * np.minimum(demo["age"] - 20, 15)).astype(int)
    dis_start = (start.astype("datetime64[Y]") - years_back.astype("timedelta64[Y]")).astype("datetime64[D]")
    entitlement = np.where(demo["disabled"], dis_start, at65)

    ma = rng.random(n) < pop["medicare_advantage_share"]
    part_b = rng.random(n) < pop["part_b_share"]
    part_b = part_b | ma                      # Medicare Advantage requires Parts A and B
    # duals are auto-enrolled in Part D (with the low-income subsidy); others join so the total hits the target
    dual_share = pop["under_65_share"] * pop["dual_share"]["under_65"] \
        + (1 - pop["under_65_share"]) * pop["dual_share"]["aged"]
    dual_part_d = max(DUAL_PART_D, pop["part_d_share"])
    other = (pop["part_d_share"] - dual_share * dual_part_d) / max(1e-9, 1 - dual_share)
    part_d = rng.random(n) < np.where(demo["dual"], dual_part_d, np.clip(other, 0, 1))

    q_year = _mortality(profile, demo, z, conditions.sum(axis=1))
    q_period = 1 - (1 - q_year) ** profile.years
    dies = rng.random(n) < q_period
    # a death falls while the person is enrolled: between entitlement (or the period's start) and its end
    first = np.maximum(entitlement, start)
    enrolled_days = np.maximum((end - first).astype(int) + 1, 1)
    death_offset = (rng.random(n) * enrolled_days).astype(int)
    death = np.where(dies, first + death_offset.astype("timedelta64[D]"), np.datetime64("NaT", "D"))

    return Shard(
        start_index=start_index, n=n, female=demo["female"], age=demo["age"], birth=birth,
        disabled=demo["disabled"], esrd=demo["esrd"], dual=demo["dual"], race=demo["race"],
        state=_sample_states(rng, profile, n), frailty=z, conditions=conditions,
        part_b=part_b, part_d=part_d, ma=ma, death=death, entitlement=entitlement,
    )


def care_intensity(shard: Shard) -> np.ndarray:
    """How much care each person uses relative to the shard's average (frailty and illness burden)."""
    raw = np.exp(0.35 * shard.frailty + 0.15 * shard.conditions.sum(axis=1))
    ffs = ~shard.ma
    mean = raw[ffs].mean() if ffs.any() else 1.0
    return raw / mean
