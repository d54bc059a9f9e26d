"""Synthetic identifiers: MBIs (S in position 2), NPIs with a valid check digit, and BB2-style negative ids.

MBI: `mbi(n)` is a bijection from 0 <= n < MBI_SPACE onto the MBIs of the CMS format whose position 2 is
`S` (a letter CMS never issues, so a synthetic MBI can never be a real person's). n is first scrambled by
an affine permutation modulo MBI_SPACE (so neighbours in n don't look alike), then written in the mixed
radix of the format.

NPI: `npi(base9)` appends the Luhn check digit computed over "80840" + the nine digits (the NPI rule).
Synthetic providers use base9 numbers starting with 1 or 2, like real NPIs.

Ids are strings holding negative integers, like the synthetic data of Blue Button 2.0. The ranges are
disjoint (k = shard * SEQ_LIMIT + seq, so k < SHARD_LIMIT * SEQ_LIMIT = 10**12; `shard_id_bases`):

    bene_id(index)           -(10_000_000_000_001 + index)   index < 10**13 - 1
    claim id                 -(20_000_000_000_000 + k)
    claim group id           -(30_000_000_000_000 + k)
    PDE id                   -(40_000_000_000_000 + k)
"""
from __future__ import annotations

import re

# --- MBI -----------------------------------------------------------------------------------------

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_DIGITS = "0123456789"
# The alphabet of each of the 11 positions (position 2 is fixed to S for synthetic MBIs).
_MBI_POSITIONS = (
    "123456789", "S", MBI_LETTERS + _DIGITS, _DIGITS, MBI_LETTERS, MBI_LETTERS + _DIGITS, _DIGITS,
    MBI_LETTERS, MBI_LETTERS, _DIGITS, _DIGITS,
)
MBI_SPACE = 1
for _alphabet in _MBI_POSITIONS:
    MBI_SPACE *= len(_alphabet)
# Affine scramble n -> (A*n + B) mod MBI_SPACE; A is coprime to MBI_SPACE (= 2^a 3^b 5^c), so it's a bijection.
_SCRAMBLE_A = 2_654_435_761
_SCRAMBLE_B = 123_456_789_011
_RADIX = tuple(len(a) for a in _MBI_POSITIONS)
_L = "AC-HJKMNP-RT-Y"  # MBI_LETTERS as a regex class body
SYNTHETIC_MBI_RE = re.compile(rf"^[1-9]S[{_L}0-9][0-9][{_L}][{_L}0-9][0-9][{_L}]{{2}}[0-9]{{2}}$")


def mbi(n: int) -> str:
    """The synthetic MBI number n (0 <= n < MBI_SPACE); distinct n give distinct MBIs."""
    if not 0 <= n < MBI_SPACE:
        raise ValueError(f"MBI index {n} is outside 0..{MBI_SPACE - 1}")
    v = (_SCRAMBLE_A * n + _SCRAMBLE_B) % MBI_SPACE
    chars = []
    for alphabet, radix in zip(reversed(_MBI_POSITIONS), reversed(_RADIX)):
        v, r = divmod(v, radix)
        chars.append(alphabet[r])
    return "".join(reversed(chars))


def is_synthetic_mbi(s: str) -> bool:
    """True when s is an MBI in the CMS format with S in position 2."""
    return isinstance(s, str) and SYNTHETIC_MBI_RE.match(s) is not None


# --- NPI -----------------------------------------------------------------------------------------

_NPI_PREFIX_SUM = 24  # the Luhn contribution of the "80840" prefix
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit sum of 2*d


def _npi_check(base: str) -> int:
    """The check digit of a nine-digit NPI base (Luhn over "80840" + base)."""
    total = _NPI_PREFIX_SUM
    for i, ch in enumerate(reversed(base)):
        total += _DOUBLED[ord(ch) - 48] if i % 2 == 0 else ord(ch) - 48
    return (10 - total % 10) % 10


def npi(base9: int) -> str:
    """The 10-digit NPI made of the nine-digit base9 and its Luhn check digit."""
    if not 100_000_000 <= base9 <= 999_999_999:
        raise ValueError(f"NPI base {base9} does not have nine digits")
    base = str(base9)
    return f"{base}{_npi_check(base)}"


def is_valid_npi(s: str) -> bool:
    """True when s is ten digits whose last is the NPI check digit of the first nine."""
    if not (isinstance(s, str) and len(s) == 10 and s.isascii() and s.isdigit()):
        return False
    return _npi_check(s[:9]) == ord(s[9]) - 48


# --- numbers a provider holds besides its NPI ----------------------------------------------------


def supplier_number(npi_: str) -> str:
    """A DMEPOS supplier's National Supplier Clearinghouse number: six digits for the supplier, four for its
    location (here the NPI's base digits and location 0001)."""
    return f"{npi_[3:9]}0001"


# --- BB2-style negative ids ----------------------------------------------------------------------

SHARD_LIMIT = 100_000
SEQ_LIMIT = 10_000_000
_BENE_BASE = 10_000_000_000_001
_BENE_LIMIT = 10_000_000_000_000 - 1
_CLAIM_BASE = 20_000_000_000_000
_CLAIM_GROUP_BASE = 30_000_000_000_000
_PDE_BASE = 40_000_000_000_000


def bene_id(index: int) -> str:
    """The beneficiary id of the index-th beneficiary: "-10000000000001" for 0."""
    if not 0 <= index < _BENE_LIMIT:
        raise ValueError(f"beneficiary index {index} is outside 0..{_BENE_LIMIT - 1}")
    return str(-(_BENE_BASE + index))


def shard_id_bases(shard: int) -> tuple[int, int, int]:
    """(claim, claim group, PDE) id bases of a shard, checked once: its seq-th ids are str(-(base + seq)) for
    0 <= seq < SEQ_LIMIT (the builder checks seq)."""
    if not 0 <= shard < SHARD_LIMIT:
        raise ValueError(f"shard {shard} outside 0..{SHARD_LIMIT - 1}")
    return tuple(base + shard * SEQ_LIMIT for base in (_CLAIM_BASE, _CLAIM_GROUP_BASE, _PDE_BASE))
