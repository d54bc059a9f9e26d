"""A shard's random stream for the per-claim simulation: scalar draws served from blocks.

Each scalar call into numpy's Generator costs 0.3–1 µs, and the care model and the pricer make several
per claim. `Draws` wraps the shard's `np.random.Generator` and serves uniforms and standard normals from
blocks the generator fills BLOCK at a time (a draw is then a ~30 ns C call); lognormals, uniform
integers and weighted picks derive from those. Rare draws (a few per person: Poisson, gamma,
geometric counts) go to the generator itself. Blocks are filled lazily, when a draw needs one, so the
whole sequence — and the generator's state after it — depends only on the sequence of calls: the same
shard draws the same numbers in any process.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from itertools import chain
from collections.abc import Callable, Iterator

import numpy as np

BLOCK = 4096


def _blocks(fill: Callable[[int], np.ndarray]) -> Iterator[list[float]]:
    while True:
        yield fill(BLOCK).tolist()


class Draws:
    """Scalar draws from a numpy Generator, block-buffered (the names and meanings of Generator's methods)."""

    __slots__ = ("normal", "random", "rng")

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.random: Callable[[], float] = chain.from_iterable(_blocks(rng.random)).__next__
        self.normal: Callable[[], float] = chain.from_iterable(_blocks(rng.standard_normal)).__next__

    @classmethod
    def of(cls, rng: np.random.Generator | Draws) -> Draws:
        """`rng` itself when it is a Draws already, else Draws over it."""
        return rng if isinstance(rng, Draws) else cls(rng)

    def lognormal(self, mean: float, sigma: float) -> float:
        return math.exp(mean + sigma * self.normal())

    def poisson(self, lam: float) -> int:
        return int(self.rng.poisson(lam))

    def gamma(self, shape: float, scale: float) -> float:
        return float(self.rng.gamma(shape, scale))

    def geometric(self, p: float) -> int:
        return int(self.rng.geometric(p))


def below(draws: Draws, n: int) -> int:
    """A uniform integer in 0..n-1."""
    return int(n * draws.random())


def weighted_index(draws: Draws, cumulative) -> int:
    """An index drawn with the weights whose running sums are `cumulative`: one uniform and a bisection
    (numpy's `choice(n, p=…)` costs ~20 µs a call)."""
    return bisect_right(cumulative, draws.random() * cumulative[-1])


def sample(draws: Draws, items, k: int) -> list:
    """k distinct items in random order (all of them, shuffled, when k >= len(items)): a partial Fisher–Yates."""
    items = list(items)
    n = len(items)
    random = draws.random
    if k == 1 and n:            # the common case, one uniform and no swap
        return [items[int(n * random())]]
    for i in range(min(k, n)):
        j = i + int((n - i) * random())
        items[i], items[j] = items[j], items[i]
    return items[:k]
