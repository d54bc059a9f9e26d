"""Advance a generated dataset in time: the claims its living beneficiaries accrue over the next days.

Each shard's people are rebuilt exactly as `generate` made them (the shard's rng stream is replayed,
claims included, so every person comes out the same). Each living beneficiary's enrollment is carried
into the window [first, last] and the care model runs over just those days with an rng of its own,
`default_rng([seed, shard, ADVANCE_STREAM, first.toordinal()])`: the same dataset advanced the same way
gives the same claims. Nobody dies, nobody new enrolls, and the Part B/D deductibles start afresh in
each window.

Claim ids: in window k (1 for a dataset's first advance) the claims of shard s of a dataset of S shards
are numbered as shard k * S + s of `identifiers.claim_id`/`pde_id`, a range neither `generate` (shards
below S) nor any other window uses, so a dataset can be advanced while k * S + s < SHARD_LIMIT.

Every new claim's meta.lastUpdated is the window's export time, its last day + 14 days at midnight UTC
(as `generate` dates a dataset at its period end + 14 days): later than any older resource, so
`_lastUpdated=gt…` and bulk `_since` find exactly the claims of the latest advance.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterator

import numpy as np

from dataset_contract import DatasetError
from generator.model.pricing import ClaimBuilder
from generator.fhir import eob_json
from generator.model.identifiers import SHARD_LIMIT
from generator.model.dates import export_day, period_months, transaction_time
from generator.profile import load_profile
from generator.model.care import CareModel
from generator.model.records import Person
from generator.pipeline.shard import SHARD_SIZE, care_claims, shard_people, shard_ranges

ADVANCE_STREAM = 0xADA


def period_end(manifest: dict) -> dt.date:
    """The last day of a dataset's generated period, from its manifest."""
    try:
        return dt.date.fromisoformat(manifest["generator"]["period"]["end"])
    except (KeyError, TypeError, ValueError):
        raise DatasetError("the loaded dataset's manifest names no generator period: it cannot be advanced") from None


def advance_claims(manifest: dict, first: dt.date, days: int, window: int) -> Iterator[bytes]:
    """The ExplanationOfBenefit JSON (one line each) of the claims over `days` days from `first`, advance
    window number `window` (1, 2, … in order), for the dataset `generate` described in `manifest`."""
    try:
        about = manifest["generator"]
        seed, beneficiaries, profile_name = int(about["seed"]), int(about["beneficiaries"]), about["profile"]
        profile = load_profile(profile_name).with_period(dt.date.fromisoformat(about["period"]["start"]),
                                                          period_end(manifest))
    except (KeyError, TypeError, ValueError):
        raise DatasetError("the loaded dataset's manifest lacks its generator settings: it cannot be advanced") from None
    shards = shard_ranges(beneficiaries, SHARD_SIZE)
    if (window + 1) * len(shards) > SHARD_LIMIT:
        raise DatasetError(f"a dataset of {beneficiaries:,} beneficiaries can be advanced at most "
                           f"{SHARD_LIMIT // len(shards) - 1:,} times")
    last = first + dt.timedelta(days=days - 1)
    months = period_months(first, last)
    updated = transaction_time(last)
    for index, start, count in shards:
        rng = np.random.default_rng([seed, index, ADVANCE_STREAM, first.toordinal()])
        care = CareModel(profile, rng, ccw_visits=False)
        builder = ClaimBuilder(window * len(shards) + index, rng, export_day(last))
        for insured, _ in shard_people(profile, seed, index, start, count):
            person = _carried(insured.person, first.toordinal(), last.toordinal())
            if person is None:
                continue
            plan = next(reversed(insured.plans.values()), None)
            carried = dataclasses.replace(insured, person=person, plans=dict.fromkeys(months, plan) if plan else {})
            for claim in care_claims(care, builder, carried):
                claim["last_updated"] = updated
                yield eob_json(claim, insured.bene)


def _carried(person: Person | None, first: int, last: int) -> Person | None:
    """A living person's enrollment carried into the days first..last (None: dead or not in fee-for-service)."""
    if person is None or person.death is not None:
        return None

    def clip(span: tuple[int, int] | None) -> tuple[int, int] | None:
        return (max(span[0], first), last) if span and max(span[0], first) <= last else None

    part_d = [span for span in map(clip, person.part_d_days) if span]
    return dataclasses.replace(person, window_a=clip(person.window_a), window_b=clip(person.window_b), part_d_days=part_d)
