"""The fast simulation's machinery: block-buffered draws, cached choice tables, the shipped ZIP and name
tables, and money that still adds up."""
import math
import statistics

import numpy as np
import pytest

from generator import tables
from generator.model.pricing import _money, _split_cents
from generator.model.draws import Draws, below, sample, weighted_index
from generator.profile import load_profile
from generator.model.providers import zips_by_state
from generator.pipeline.shard import shard_people
from generator.claim_types import TYPES
from generator.model.care.drg import drg_choices
from generator.model.care_tables import code_condition, eligible_kinds


def test_draws_depend_only_on_the_sequence_of_calls():
    def run(seed):
        d = Draws(np.random.default_rng([seed, 3]))
        out = [d.random() for _ in range(5000)] + [d.normal() for _ in range(5000)]
        out += [d.poisson(3.0), d.gamma(1.5, 2.0), d.geometric(0.5), d.lognormal(0.0, 0.5)]
        return out, d.rng.random()      # the generator's state after the draws too
    assert run(1) == run(1)
    assert run(1) != run(2)


def test_draws_have_their_distributions():
    d = Draws(np.random.default_rng(7))
    u = [d.random() for _ in range(20_000)]
    n = [d.normal() for _ in range(20_000)]
    assert all(0.0 <= x < 1.0 for x in u)
    assert abs(statistics.fmean(u) - 0.5) < 0.01 and abs(statistics.pstdev(u) - math.sqrt(1 / 12)) < 0.01
    assert abs(statistics.fmean(n)) < 0.03 and abs(statistics.pstdev(n) - 1) < 0.03
    logn = [d.lognormal(1.0, 0.5) for _ in range(20_000)]
    assert abs(statistics.fmean(logn) / math.exp(1.0 + 0.125) - 1) < 0.02
    counts = np.bincount([below(d, 4) for _ in range(20_000)], minlength=4)
    assert counts.min() > 4600
    picks = np.bincount([weighted_index(d, (1.0, 1.0, 4.0)) for _ in range(20_000)], minlength=3)
    assert picks[1] == 0 and abs(picks[0] / 20_000 - 0.25) < 0.02


def test_sample_draws_distinct_items():
    d = Draws(np.random.default_rng(1))
    items = list("abcdefg")
    for k in (0, 1, 3, 7, 9):
        got = sample(d, items, k)
        assert len(got) == min(k, len(items)) and len(set(got)) == len(got) and set(got) <= set(items)
    firsts = [sample(d, items, 2)[0] for _ in range(7000)]
    assert min(firsts.count(x) for x in items) > 850


@pytest.mark.parametrize("conditions", [(), ("diabetes", "heart_failure"), ("copd", "ckd", "dementia")])
def test_drg_choices_fit_the_conditions(conditions):
    rows, cumulative = drg_choices(conditions, (("heart_failure", 0.15),), 0, False)
    assert rows and len(rows) == len(cumulative)
    signal = code_condition()
    for r in rows:
        assert set(r.conditions) <= set(conditions)
        assert all(signal.get(code) in (None, *conditions) for code in (*r.principal, *r.secondary))
    assert not any(r.alive for r in drg_choices(conditions, (), 2, True)[0])    # a final stay: no "discharged alive"
    kinds, _weights = eligible_kinds(TYPES["carrier"], conditions)
    assert kinds and all(not k.conditions or set(k.conditions) & set(conditions) for k in kinds)


def test_split_adds_up_to_the_cent():
    for total, weights in ((1234.567, [0.34, 0.16, 0.12, 0.18]), (99.99, [1.0, 2.0, 2.0]), (10.0, [0.0, 0.0])):
        parts = _split_cents(total, weights)
        assert sum(parts) == round(total * 100) and all(isinstance(p, int) for p in parts)
        shares = [w / sum(weights) for w in weights] if any(weights) else [1 / len(weights)] * len(weights)
        assert all(abs(p - share * round(total * 100)) < len(parts) for p, share in zip(parts, shares))
    assert _money(2.675) in (2.67, 2.68) and _money(0.1 + 0.2) == 0.3


def test_money_adds_up_on_every_line_and_header():
    keys = ("submitted", "allowed", "paid", "deductible", "coinsurance", "patient_paid")
    for _, claims in shard_people(load_profile("default"), 5, 0, 0, 60):
        for claim in claims:
            for line in claim["lines"]:
                assert round(line["allowed"] * 100) == round((line["paid"] + line["deductible"] + line["coinsurance"]
                                                              + line.get("subsidy", 0.0)) * 100)
            if claim["type"] in ("inpatient", "snf"):       # lines carry charges; the stay is paid as a whole
                assert round(claim["allowed"] * 100) == round((claim["paid"] + claim["deductible"]
                                                               + claim["coinsurance"]) * 100)
                assert claim["submitted"] == _money(sum(line["submitted"] for line in claim["lines"]))
                continue
            for key in keys:
                assert claim[key] == _money(sum(line[key] for line in claim["lines"]))
            if claim["type"] == "pde":        # the plan, the enrollee and the low-income subsidy pay the drug's cost
                line = claim["lines"][0]
                assert round((line["gdc_below"] + line["gdc_above"]) * 100) == round(line["allowed"] * 100)


def test_shipped_zip_table_matches_the_zipcodes_package():
    import zipcodes
    expected: dict[str, list] = {}
    for z in zipcodes.list_all():
        if z["zip_code_type"] == "STANDARD" and z["active"]:
            expected.setdefault(z["state"], []).append((z["zip_code"], z["county"], z["city"]))
    assert zips_by_state() == {k: tuple(v) for k, v in expected.items()}


def test_shipped_names_match_faker():
    from faker.providers.person.en_US import Provider
    rows = tables.table("names")
    for kind, table in (("female", Provider.first_names_female), ("male", Provider.first_names_male),
                        ("last", Provider.last_names)):
        assert [(r["name"], float(r["weight"])) for r in rows if r["kind"] == kind] == \
            [(name, float(w)) for name, w in table.items()]
