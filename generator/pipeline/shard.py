"""One shard's people, their care and their claims, person by person, and their resources serialized.

A shard depends only on (profile, seed, shard index, size), never on other shards or on the number
of worker processes, so any split of the work gives the same bytes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import orjson

from generator.claim_types import TYPES
from generator.fhir import coverage_resources, eob_json, patient_resource
from generator.model.care import CareModel
from generator.model.dates import export_day, period_months
from generator.model.draws import Draws
from generator.model.enrollment import enroll
from generator.model.population import care_intensity, sample_shard
from generator.model.pricing import ClaimBuilder, Ledger
from generator.model.records import Claim, Insured
from generator.profile import Profile

SHARD_SIZE = 1000
RANKS = len(TYPES)
PersonResources = tuple[str, bytes, list[bytes], list[bytes]]


def shard_ranges(n: int, size: int) -> list[tuple[int, int, int]]:
    """(shard index, first beneficiary index, count) covering 0..n-1."""
    return [(k, start, min(size, n - start)) for k, start in enumerate(range(0, n, size))]


def shard_people(profile: Profile, seed: int, index: int, start_index: int,
                 count: int) -> Iterator[tuple[Insured, list[Claim]]]:
    """Each beneficiary of the shard in order with their claims (all drawn from the shard's one rng stream:
    the population as arrays, then person by person through one `Draws`)."""
    rng = np.random.default_rng([seed, index])
    shard = sample_shard(profile, rng, start_index, count)
    months = period_months(profile.period_start, profile.period_end)
    draws = Draws(rng)
    care = CareModel(profile, draws)
    builder = ClaimBuilder(index, draws, export_day(profile.period_end))
    intensity = care_intensity(shard)
    for i in range(count):
        insured = enroll(profile, seed, shard, i, months, draws, float(intensity[i]))
        yield insured, care_claims(care, builder, insured)


def care_claims(care: CareModel, builder: ClaimBuilder, insured: Insured) -> list[Claim]:
    """The claims of an insured person's care: the care model's encounters in date order, priced with one ledger."""
    encounters = care.encounters(insured.person, insured.intensity) if insured.person else []
    encounters.sort(key=lambda e: e.start * RANKS + e.spec.rank)     # by day, then the types' order
    ledger = Ledger()
    bene_id = insured.bene["bene_id"]
    plans, lis, build = insured.plans, insured.lis, builder.build
    return [build(enc, bene_id, ledger, lis, plans) for enc in encounters]


def shard_resources(profile: Profile, seed: int, index: int, start_index: int, count: int,
                    sink: Callable[[Insured, list[Claim]], None] | None = None) -> Iterator[PersonResources]:
    """Each beneficiary of the shard in order: (bene id, Patient, Coverages, ExplanationOfBenefits) serialized
    (compact JSON, no trailing newline); `sink`, when given, gets each person's records first (the RIF writer)."""
    dumps = orjson.dumps
    for insured, claims in shard_people(profile, seed, index, start_index, count):
        if sink is not None:
            sink(insured, claims)
        bene = insured.bene
        yield (bene["bene_id"], dumps(patient_resource(bene)), [dumps(c) for c in coverage_resources(bene)],
               [eob_json(claim, bene) for claim in claims])
