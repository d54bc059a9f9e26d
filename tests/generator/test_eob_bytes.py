"""EOB bytes written piece by piece (generator/fhir/eob.py) are exactly orjson's serialization of the resource.

`eob_json` joins pre-serialized fragments, so any slip (a missing comma, a string not escaped, a float
formatted differently from orjson) shows up as bytes that differ from `orjson.dumps(orjson.loads(them))`
(orjson keeps key order both ways). Claims come from a real small shard; some are copied with awkward
values (quotes, backslashes, control characters and non-ASCII in names and displays, floats that orjson
writes in exponent form, missing money keys, a list where the records hold a tuple).
"""
from __future__ import annotations

import copy

import orjson
import pytest

from generator.fhir import eob_json, eob_resource
from generator.claim_types import TYPES
from generator.claim_types.values import Const, Derived, Key
from generator.fhir.eob_parts import ITEM_BUILDERS
from generator.fhir.layout import ITEM_SLOTS, LAYOUTS
from generator.fhir.slots import NumberTemplate, TemplateError, compile_shape, integer, member, serialized, slot
from generator.profile import load_profile
from dataset_contract import CLAIM_TYPES
from generator.pipeline.shard import shard_people

AWKWARD_TEXT = 'O\'Brien "Doc" \\ Ünïcødé \x01\t 東京'
AWKWARD_NUMBERS = (1e-05, 12.0, 0.1 + 0.2, 1e16, 123456789.01, -0.0)


@pytest.fixture(scope="module")
def claims_by_type():
    found: dict[str, list] = {t: [] for t in CLAIM_TYPES}
    for insured, claims in shard_people(load_profile("esrd"), 0, 0, 0, 60):
        for claim in claims:
            found[claim["type"]].append((claim, insured.bene))
    assert all(found.values()), {t: len(v) for t, v in found.items()}
    return found


def assert_canonical(claim, bene) -> bytes:
    written = eob_json(claim, bene)
    assert written == orjson.dumps(orjson.loads(written))
    return written


@pytest.mark.parametrize("claim_type", CLAIM_TYPES)
def test_every_claim_is_orjsons_serialization(claims_by_type, claim_type):
    for claim, bene in claims_by_type[claim_type]:
        written = assert_canonical(claim, bene)
        assert eob_resource(claim, bene) == orjson.loads(written)
        assert written == eob_json(claim, bene), "cached fragments give the same bytes again"


@pytest.mark.parametrize("claim_type", CLAIM_TYPES)
def test_awkward_strings_and_numbers(claims_by_type, claim_type):
    claim, bene = claims_by_type[claim_type][0]
    claim = copy.deepcopy(claim)
    for provider in [claim["provider"], *(claim.get(role) for role in ("attending", "referring", "prescriber"))]:
        if provider:
            provider["name"] = AWKWARD_TEXT
    for dx in claim.get("diagnoses", ()):
        dx["display"] = AWKWARD_TEXT
    for i, line in enumerate(claim["lines"]):
        line["paid"] = AWKWARD_NUMBERS[i % len(AWKWARD_NUMBERS)]
        line["submitted"] = 1e-07
        for key in ("hcpcs_display", "drug", "revenue_display"):
            if line.get(key):
                line[key] = AWKWARD_TEXT
    claim["submitted"], claim["paid"] = 1e-05, 1e22
    written = assert_canonical(claim, bene)
    assert orjson.dumps(AWKWARD_TEXT)[1:-1] in written, "the awkward name is escaped as orjson escapes it"


def test_a_referred_professional_claim(claims_by_type):
    claim, bene = claims_by_type["carrier"][0]
    referring = dict(claims_by_type["pde"][0][0]["prescriber"], name=AWKWARD_TEXT)
    resource = orjson.loads(assert_canonical(dict(claim, referring=referring), bene))
    assert resource["referral"] == {"identifier": resource["careTeam"][0]["provider"]["identifier"],
                                    "display": AWKWARD_TEXT}
    assert resource["careTeam"][0]["role"]["coding"][0]["code"] == "referring"
    assert all(item["careTeamSequence"][-1] == len(resource["careTeam"]) for item in resource["item"])


def test_missing_money_keys_count_as_zero_and_quantity_as_one(claims_by_type):
    claim, bene = claims_by_type["carrier"][0]
    claim = copy.deepcopy(claim)
    for key in ("quantity", "deductible", "coinsurance"):
        claim["lines"][0].pop(key, None)
    claim.pop("deductible", None)
    item = orjson.loads(assert_canonical(claim, bene))["item"][0]
    assert item["quantity"] == {"value": 1}
    amounts = {a["category"]["coding"][1]["code"].rsplit("/", 1)[1]: a["amount"]["value"] for a in item["adjudication"]
               if "amount" in a}     # (denial reasons carry a reason, no amount)
    assert amounts["line_bene_ptb_ddctbl_amt"] == 0.0 and amounts["line_coinsrnc_amt"] == 0.0


def test_a_list_where_the_records_hold_a_tuple(claims_by_type):
    stays = [(c, b) for c, b in claims_by_type["snf"] if c.get("qualifying_stay")]
    if not stays:
        pytest.skip("no SNF claim with a qualifying stay in this shard")
    claim, bene = stays[0]
    as_list = dict(claim, qualifying_stay=list(claim["qualifying_stay"]))
    assert eob_json(as_list, bene) == eob_json(claim, bene)


def test_byte_templates_fill_numbers_between_fixed_bytes():
    shape = [{"amount": {"value": slot("paid"), "currency": "USD"}, "n": [1, slot("quarter")]},
             {"fixed": slot("fixed"), "days": slot("days"), "units": slot("units")}]
    template = NumberTemplate(shape, [("paid", Key("paid")), ("quarter", Derived(("paid",), lambda p: round(p / 4, 2))),
                                      ("fixed", Const(0.0)), ("days", integer(Key("days"))),
                                      ("units", Key("units", 1))])
    closing = NumberTemplate({"total": slot("total"), "note": "100% paid"}, [("total", Key("paid"))], members=True)
    record = {"paid": 12.3, "days": 3.0, "units": 2.5}
    assert template.slots == ("paid", "quarter", "days", "units"), "a constant is written in, not filled"
    numbers = serialized([*template.values(record), *closing.values(record)])
    assert template.render(numbers[:template.count]) == orjson.dumps(
        [{"amount": {"value": 12.3, "currency": "USD"}, "n": [1, 3.08]}, {"fixed": 0.0, "days": 3, "units": 2.5}])
    assert closing.render(numbers[template.count:]) == b'"total":12.3,"note":"100% paid"'
    sparse = template.values({"paid": 1.0})
    assert sparse[2:] == (0, 1), "a missing key is 0, or its Key's default"


def test_a_template_whose_slots_differ_from_its_fillers_fails_when_compiled():
    shape = {"a": slot("x"), member("m"): None, "b": slot("y")}
    assert compile_shape(shape, ("x", "m", "y")).format == b'{"a":%b%b,"b":%b}'
    with pytest.raises(TemplateError, match=r"slots are \('x', 'm', 'y'\), its filler gives \('x', 'y'\)"):
        compile_shape(shape, ("x", "y"), where="test")
    with pytest.raises(TemplateError, match="inside a key or a string"):
        compile_shape({slot("k"): 1}, ())


def test_optional_members_and_elements_fill_with_their_comma_or_nothing():
    template = compile_shape({member("first"): None, "n": slot("n", "d"), "list": [1, member("more")],
                              member("last"): None}, ("first", "n", "more", "last"))
    assert template.format % (b"", 7, b"", b"") == b'{"n":7,"list":[1]}'
    assert template.format % (b'"a":0,', 7, b",2", b',"z":true') == b'{"a":0,"n":7,"list":[1,2],"z":true}'


@pytest.mark.parametrize("claim_type", CLAIM_TYPES)
def test_every_item_builder_gives_its_forms_slots(claims_by_type, claim_type):
    claim, _ = claims_by_type[claim_type][0]
    layout = LAYOUTS[claim_type]
    built = ITEM_BUILDERS[TYPES[claim_type].form](layout, claim, claim["lines"][0], 1, b"")
    assert len(built) == len(ITEM_SLOTS[TYPES[claim_type].form])
