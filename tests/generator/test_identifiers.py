"""Synthetic MBIs, NPI check digits and the negative BB2-style id ranges."""
import math
import random

import pytest

from generator.model import identifiers as ids


def test_documented_mbi_examples_are_synthetic():
    assert ids.is_synthetic_mbi("1S00EU7JH47")
    assert ids.is_synthetic_mbi("3S31P00AA00")


@pytest.mark.parametrize("bad", [
    "1EG4TE5MK73",   # a real-format MBI: position 2 is not S
    "0S00EU7JH47",   # position 1 must be 1-9
    "1S00EU7JH4",    # too short
    "1S00EU7JH477",  # too long
    "1S00BU7JH47",   # B is never used
    "1SO0EU7JH47",   # O is never used
    "1S0AEU7JH47",   # position 4 must be a digit
    "1s00eu7jh47",   # lower case
    "1S00-EU7-JH47",
    None,
])
def test_non_synthetic_mbis_are_rejected(bad):
    assert not ids.is_synthetic_mbi(bad)


def test_mbi_is_a_bijection_with_the_synthetic_format():
    ns = list(range(20_000)) + [ids.MBI_SPACE - 1 - i for i in range(1000)]
    ns += random.Random(1).sample(range(ids.MBI_SPACE), 5000)
    out = [ids.mbi(n) for n in ns]
    assert len(set(out)) == len(set(ns))
    assert all(ids.is_synthetic_mbi(s) for s in out)
    assert math.gcd(ids._SCRAMBLE_A, ids.MBI_SPACE) == 1, "the scramble is a permutation of 0..MBI_SPACE-1"


def test_mbi_space_is_the_format_size():
    assert ids.MBI_SPACE == 9 * 30 * 10 * 20 * 30 * 10 * 20 * 20 * 10 * 10
    for n in (-1, ids.MBI_SPACE):
        with pytest.raises(ValueError):
            ids.mbi(n)


def test_npi_worked_example_and_known_valid_numbers():
    assert ids.npi(123456789) == "1234567893"
    for good in ("1234567893", "1407891336", "1225301823", "9999973990"):
        assert ids.is_valid_npi(good)


@pytest.mark.parametrize("bad", ["1244444444", "1234567890", "123456789", "12345678933", "12345678a3", "", None])
def test_invalid_npis_are_rejected(bad):
    assert not ids.is_valid_npi(bad)


def test_every_npi_is_valid_and_any_changed_last_digit_is_not():
    for base in random.Random(2).sample(range(100_000_000, 300_000_000), 2000):
        s = ids.npi(base)
        assert s[:9] == str(base) and ids.is_valid_npi(s)
        assert sum(ids.is_valid_npi(s[:9] + d) for d in "0123456789") == 1
    with pytest.raises(ValueError):
        ids.npi(12345678)


def test_bene_id_follows_bb2_synthetic_style():
    assert ids.bene_id(0) == "-10000000000001"
    assert ids.bene_id(41) == "-10000000000042"


def test_claim_ids_are_unique_across_shards_and_kinds():
    corners = [(s, q) for s in (0, 1, 2, ids.SHARD_LIMIT - 1) for q in (0, 1, ids.SEQ_LIMIT - 1)]
    made = [str(-(base + q)) for s, q in corners for base in ids.shard_id_bases(s)]
    made += [ids.bene_id(i) for i in (0, 10**12, 10**13 - 2)]
    assert len(set(made)) == len(made)
    assert all(m.startswith("-") and m[1:].isdigit() for m in made)
    dense = {str(-(ids.shard_id_bases(s)[0] + q)) for s in range(30) for q in range(300)}
    assert len(dense) == 30 * 300
    for bad in (ids.SHARD_LIMIT, -1):
        with pytest.raises(ValueError):
            ids.shard_id_bases(bad)
