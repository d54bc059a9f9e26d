"""The profile loader: built-in profiles load, and every broken rule is named with its key."""
import textwrap

import pytest

from generator.errors import ProfileError
from generator.profile import builtin_profiles, load_profile


def write(tmp_path, text: str):
    p = tmp_path / "p.yaml"
    p.write_text(textwrap.dedent(text))
    return str(p)


def test_builtin_profiles_load():
    names = builtin_profiles()
    assert {"default", "dual-eligible", "esrd", "medicare-advantage", "small-demo"} <= set(names)
    for name in names:
        p = load_profile(name)
        assert p.period_start <= p.period_end
        assert abs(sum(p.population["race"].values()) - 1) < 1e-3


def test_extends_overrides_only_what_it_names():
    base, dual = load_profile("default"), load_profile("dual-eligible")
    assert dual.population["dual_share"]["aged"] == 1.0
    assert dual.conditions["hypertension"] == base.conditions["hypertension"]
    assert dual.conditions["depression"] != base.conditions["depression"]


@pytest.mark.parametrize("body, message", [
    ("population:\n  female_sahre: 0.5\n", "population.female_sahre: unknown key"),
    ("population:\n  female_share: 1.4\n", "population.female_share: 1.4 is not a probability"),
    ("population:\n  female_share: lots\n", "population.female_share: 'lots' is not a probability"),
    ("population:\n  race: {'1': 0.5, '2': 0.1, '3': 0.1, '4': 0.1, '5': 0.1, '6': 0.05, '0': 0.01}\n",
     "population.race: shares sum to 0.9600, they must sum to 1"),
    ("population:\n  states: {CA: 0.5, XX: 0.5}\n", "population.states.XX: unknown state"),
    ("conditions:\n  gout: 0.1\n", "conditions.gout: unknown key"),
    ("utilization:\n  carrier_claims_per_bene: -3\n",
     "utilization.carrier_claims_per_bene: -3 must be a number from 0"),
    ("period:\n  start: 2025-13-01\n  end: 2025-12-31\n", "period.start: '2025-13-01' is not a date"),
    ("period:\n  start: 2025-06-01\n  end: 2025-01-31\n", "period: end 2025-01-31 is before start 2025-06-01"),
])
def test_bad_profiles_name_the_key_and_rule(tmp_path, body, message):
    with pytest.raises(ProfileError) as e:
        load_profile(write(tmp_path, "extends: default\nname: t\n" + body))
    assert message in str(e.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(str(tmp_path / "nope.yaml"))
    with pytest.raises(ProfileError, match="unknown profile 'nope'"):
        load_profile("nope")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(write(tmp_path, "name: [unclosed\n"))
    with pytest.raises(ProfileError, match="missing"):
        load_profile(write(tmp_path, "name: t\n"))


def test_extends_cycle_is_refused(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text(f"extends: {a}\nname: a\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(str(a))
