"""Seeded population generators: statistical cultures of rankings, and user types with rewards.

Every generator takes a ``seed`` (a whole number >= 0, or ``None`` for fresh randomness): the same
arguments and seed give the same population, on every machine (numpy's ``default_rng``). Rankings
are drawn vectorised over voters (no per-voter Python loop; loops run over alternatives only) and
built through :meth:`Profile.from_orders`; identical rankings are then merged into one row whose
weight counts them (:meth:`Profile.compressed`), so the weights always sum to ``n_voters``.

``alternatives`` is either a count (names ``A, B, ..., Z, A1, B1, ..., Z1, A2, ...``) or a list of
names; for Mallows and single-peaked cultures the list order is meaningful (central ranking, axis).

The models and the literature they come from (names and parameters follow ``prefsampling``, the
COMSOC community's sampling library, so values are comparable with pref_voting and PrefLib work):

* :func:`impartial_culture`: every strict ranking equally likely (Guilbaud 1952).
* :func:`mallows`: ``P(ranking) ~ phi ** d_KT(ranking, central)`` (Mallows 1957), drawn by the
  repeated insertion model (Doignon, Pekec, Regenwetter 2004); ``phi = 0`` returns the central
  ranking, ``phi = 1`` is impartial culture. ``phi`` is the raw dispersion, not prefsampling's
  normalised one.
* :func:`plackett_luce`: rankings built by repeatedly choosing among the remaining alternatives
  with probability proportional to ``exp(utility)`` (Luce 1959, Plackett 1975), the same reading as
  :class:`RewardPopulation` (weights ``exp(r / T)``); drawn exactly with the Gumbel-max trick.
* :func:`urn`: the Polya-Eggenberger urn as in ``prefsampling.ordinal.urn``: voter ``i`` (from 0)
  draws a fresh impartial-culture ranking with probability ``1 / (1 + i * alpha)``, otherwise
  copies a uniformly chosen earlier voter. ``alpha = 0`` is impartial culture; ``alpha = 1/m!``
  is the impartial anonymous culture.
* :func:`single_peaked`: rankings single-peaked on the axis given by ``alternatives``: ``"walsh"``
  (uniform over all single-peaked rankings; Walsh 2015) or ``"conitzer"`` (uniform peak, then
  extend left or right with probability 1/2; Conitzer 2009).
* :func:`euclidean`: voters and alternatives at independent random points of ``[-1, 1]^d``
  (``"uniform"``) or of a standard normal (``"gaussian"``); each voter ranks alternatives by
  Euclidean distance. Drawn here rather than through ``prefsampling.ordinal.euclidean`` (0.1.24),
  which seeds voters and candidates with the same seed (in several spaces voter i sits exactly on
  candidate i; the Gaussian ball yields one profile for every seed: pref_voting issue #186,
  prefsampling issue #6) and uses the L^d norm instead of the Euclidean one for d >= 3.
* :func:`reward_mixture`: ``n_types`` user types with rewards drawn from a stated model
  (``"gaussian"``: i.i.d. ``N(0, scale^2)``; ``"spatial"``: ``-scale * distance`` between a type's
  ideal point and each alternative, points uniform in ``[-1, 1]^d``), as a
  :class:`RewardPopulation`.

The prefsampling samplers themselves loop over voters in Python (``rng.choice`` per insertion for
Mallows and Plackett-Luce), which takes minutes for 100,000 voters over 50 alternatives, so each
model is drawn here with numpy from the same distribution; the tests check the draws against
prefsampling's exact theoretical distributions.
"""

from __future__ import annotations

import inspect
import string
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import bounds
from ..bounds import MAX_CELLS
from ..validate import alternative_names, as_float, positive_weights, short
from ..errors import AggregationError
from .profile import Profile
from .user_types import RewardPopulation

__all__ = [
    "default_names",
    "impartial_culture",
    "mallows",
    "plackett_luce",
    "urn",
    "single_peaked",
    "euclidean",
    "reward_mixture",
    "GENERATORS",
    "generate",
    "MAX_CELLS",
]

# Every size is checked against the limits of aggregation.bounds before anything is drawn: the number
# of alternatives before their names are made, voters x alternatives (x dimensions) before the draws.


def default_names(count: int) -> list[str]:
    """``A, B, ..., Z, A1, B1, ..., Z1, A2, ...``: readable names for ``count`` alternatives."""
    letters = string.ascii_uppercase
    return [letters[i % 26] + (str(i // 26) if i >= 26 else "") for i in range(count)]


# ---------------------------------------------------------------------------- ordinal cultures
def impartial_culture(n_voters: int, alternatives, seed: int | None = None) -> Profile:
    """``n_voters`` rankings drawn uniformly from all strict rankings."""
    names = _names(alternatives)
    n = _count(n_voters, "n_voters", len(names))
    rng = _rng(seed)
    orders = rng.permuted(np.tile(np.arange(len(names), dtype=np.int32), (n, 1)), axis=1)
    return _profile(orders, names)


def mallows(n_voters: int, alternatives, phi: float, seed: int | None = None) -> Profile:
    """Mallows rankings around the central ranking ``alternatives`` (listed best first).

    Repeated insertion: alternative ``j`` (0-based, in central order) is inserted into the
    ranking of the first ``j`` so that it ends above ``v`` of them with probability proportional
    to ``phi ** v`` (``v = 0..j``); the inversions add up to the Kendall-tau distance.
    """
    names = _names(alternatives)
    n = _count(n_voters, "n_voters", len(names))
    phi = _number(phi, "phi", low=0.0, high=1.0)
    rng = _rng(seed)
    m = len(names)
    # position[a, i]: place of alternative a among those inserted so far, for voter i
    # (alternatives as rows keeps each update a contiguous block)
    position = np.zeros((m, n), dtype=np.int16 if m < 2**15 else np.int32)
    u = rng.random((m, n))
    for j in range(1, m):
        weights = phi ** np.arange(j + 1, dtype=float)  # 0 ** 0 == 1: phi = 0 never displaces
        cdf = np.cumsum(weights) / weights.sum()
        above = np.minimum(np.searchsorted(cdf, u[j], side="right"), j)
        slot = (j - above).astype(position.dtype)
        position[:j] += position[:j] >= slot
        position[j] = slot
    return _profile(np.argsort(position.T, axis=1, kind="stable"), names)


def plackett_luce(n_voters: int, utilities, seed: int | None = None) -> Profile:
    """Plackett-Luce rankings with weights ``exp(utility)``.

    ``utilities`` maps names to numbers (a dict or Series) or is a list (names A, B, ...). Ranking
    by ``utility + Gumbel noise`` draws exactly this distribution.
    """
    names, u = _utilities(utilities)
    n = _count(n_voters, "n_voters", len(names))
    rng = _rng(seed)
    keys = u[None, :] + rng.gumbel(size=(n, len(names)))
    return _profile(np.argsort(-keys, axis=1, kind="stable"), names)


def urn(n_voters: int, alternatives, alpha: float, seed: int | None = None) -> Profile:
    """Polya-Eggenberger urn rankings (see the module docstring): ``alpha >= 0`` is the number
    of copies (as a share of ``m!``) returned to the urn with each drawn ranking."""
    names = _names(alternatives)
    n = _count(n_voters, "n_voters", len(names))
    alpha = _number(alpha, "alpha", low=0.0)
    rng = _rng(seed)
    i = np.arange(n)
    fresh = rng.random(n) * (1.0 + alpha * i) <= 1.0
    fresh[0] = True
    source = np.floor(rng.random(n) * i).astype(np.int64)  # a uniform earlier voter (unused if fresh)
    parent = np.where(fresh, i, source)
    while True:  # pointer jumping to the fresh ancestor
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        parent = grand
    orders = np.empty((n, len(names)), dtype=np.int32)
    n_fresh = int(fresh.sum())
    orders[fresh] = rng.permuted(np.tile(np.arange(len(names), dtype=np.int32), (n_fresh, 1)), axis=1)
    return _profile(orders[parent], names)


def single_peaked(n_voters: int, alternatives, seed: int | None = None, model: str = "walsh") -> Profile:
    """Rankings single-peaked on the axis ``alternatives`` (in the order given).

    ``"walsh"``: uniform over the ``2 ** (m - 1)`` single-peaked rankings (fill the ranking from
    the bottom, taking the leftmost or rightmost remaining alternative with probability 1/2).
    ``"conitzer"``: a uniform peak, then the next-best is the left or right neighbour of the
    block ranked so far with probability 1/2 (the other side once one side is exhausted).
    """
    names = _names(alternatives)
    n = _count(n_voters, "n_voters", len(names))
    rng = _rng(seed)
    m = len(names)
    coins = rng.random((n, m)) < 0.5
    orders = np.empty((n, m), dtype=np.int32)
    if model == "walsh":
        left, right = np.zeros(n, dtype=np.int32), np.full(n, m - 1, dtype=np.int32)
        for step in range(m):  # worst first
            take_left = coins[:, step]
            orders[:, m - 1 - step] = np.where(take_left, left, right)
            left += take_left
            right -= ~take_left
    elif model == "conitzer":
        peak = rng.integers(0, m, size=n).astype(np.int32)
        orders[:, 0] = peak
        left, right = peak - 1, peak + 1
        for step in range(1, m):
            take_left = (right >= m) | ((left >= 0) & coins[:, step])
            orders[:, step] = np.where(take_left, left, right)
            left -= take_left
            right += ~take_left
    else:
        raise AggregationError(f"single_peaked: model must be 'walsh' or 'conitzer', got {model!r}")
    return _profile(orders, names)


def euclidean(
    n_voters: int, alternatives, seed: int | None = None, dimensions: int = 2, distribution: str = "uniform"
) -> Profile:
    """Spatial rankings: each voter ranks alternatives by Euclidean distance to its position.

    Positions are independent draws from one generator (alternatives first, then voters):
    ``"uniform"`` in the cube ``[-1, 1]^dimensions`` or ``"gaussian"`` (standard normal).
    One dimension gives rankings single-peaked on the alternatives' left-to-right order.
    """
    names = _names(alternatives)
    d = _dimensions(dimensions)
    n = _count(n_voters, "n_voters", len(names) * d)
    points_a, points_v = _positions(_rng(seed), len(names), n, d, distribution, "euclidean")
    distance = np.zeros((n, len(names)))
    for axis in range(d):  # (n, m) at a time, not (n, m, d)
        distance += (points_v[:, axis : axis + 1] - points_a[None, :, axis]) ** 2
    return _profile(np.argsort(distance, axis=1, kind="stable"), names)


# ---------------------------------------------------------------------------- user types
def reward_mixture(
    n_types: int,
    alternatives,
    seed: int | None = None,
    model: str = "gaussian",
    scale: float = 1.0,
    dimensions: int = 2,
    weights=None,
    temperature: float = 1.0,
) -> RewardPopulation:
    """``n_types`` user types (``type 1, type 2, ...``) with rewards drawn from ``model``.

    ``"gaussian"``: each reward i.i.d. ``N(0, scale^2)``. ``"spatial"``: types and alternatives at
    uniform points of ``[-1, 1]^dimensions``; a type's reward is ``-scale * distance``.
    ``weights``: ``None`` (equal shares), ``"dirichlet"`` (shares drawn uniformly from the
    simplex, Dirichlet(1, ..., 1)) or a list of positive numbers.
    """
    names = _names(alternatives)
    t = _count(n_types, "n_types", len(names), limit="MAX_TYPES")
    m = len(names)
    bounds.check(
        "MAX_TYPE_CELLS",
        t * m * m,
        found=f"n_types = {t} is too large for {m} alternatives: {t} x {m}² = {t * m * m:,} cells",
    )
    scale = _number(scale, "scale", low=0.0, strict=True)
    rng = _rng(seed)
    if model == "gaussian":
        rewards = rng.normal(0.0, scale, size=(t, len(names)))
    elif model == "spatial":
        d = _dimensions(dimensions)
        bounds.check(
            "MAX_CELLS", t * m * d, found=f"{t} types x {m} alternatives x {d} dimensions = {t * m * d:,} cells"
        )
        points_a, points_t = _positions(rng, len(names), t, d, "uniform", "reward_mixture")
        rewards = -scale * np.sqrt(((points_t[:, None, :] - points_a[None, :, :]) ** 2).sum(axis=2))
    else:
        raise AggregationError(f"reward_mixture: model must be 'gaussian' or 'spatial', got {model!r}")
    if weights is None:
        shares = np.full(t, 1.0 / t)
    elif isinstance(weights, str):
        if weights != "dirichlet":
            raise AggregationError(f"reward_mixture: weights must be None, 'dirichlet' or numbers, got {weights!r}")
        shares = rng.dirichlet(np.ones(t))
    else:
        shares = positive_weights(weights, t, what="reward_mixture weights", label=lambda i: f"type {i + 1}")
    types = [f"type {i + 1}" for i in range(t)]
    return RewardPopulation(pd.DataFrame(rewards, index=types, columns=names), shares, temperature)


# ---------------------------------------------------------------------------- by name
#: The generators by name, for callers that describe a population as data (scenario files, URLs).
GENERATORS = {
    "impartial_culture": impartial_culture,
    "mallows": mallows,
    "plackett_luce": plackett_luce,
    "urn": urn,
    "single_peaked": single_peaked,
    "euclidean": euclidean,
    "reward_mixture": reward_mixture,
}


def generate(model: str, /, **params):
    """Call the generator named ``model`` with ``params``; unknown names and parameters are
    reported with the list of valid ones. ``model`` is positional-only, so that the generators'
    own ``model`` parameter (``reward_mixture``, ``single_peaked``) can be passed by keyword."""
    if not isinstance(model, str) or model not in GENERATORS:
        raise AggregationError(f"unknown generator {short(model)} (known: {', '.join(GENERATORS)})")
    signature = inspect.signature(GENERATORS[model])
    known = list(signature.parameters)
    unknown = [p for p in params if p not in known]
    if unknown:
        raise AggregationError(f"{model}: unknown parameter {unknown[0]!r} (parameters: {', '.join(known)})")
    missing = [
        p for p, spec in signature.parameters.items() if spec.default is inspect.Parameter.empty and p not in params
    ]
    if missing:
        raise AggregationError(f"{model}: parameter {missing[0]!r} is missing")
    return GENERATORS[model](**params)


# ---------------------------------------------------------------------------- helpers
def _profile(orders: np.ndarray, names: list[str]) -> Profile:
    """Rankings as a profile, identical rankings merged (order of first appearance, weight = count).

    Rows are grouped by a 64-bit hash (linear in n, unlike sorting the rows) and the grouping is
    then checked row by row; a hash collision falls back to :meth:`Profile.compressed`.
    """
    n, m = orders.shape
    key = orders.astype(np.uint64) @ _HASH_MULTIPLIERS[:m] if m <= len(_HASH_MULTIPLIERS) else None
    if key is None:
        return Profile.from_orders(orders, names).compressed()
    codes, uniques = pd.factorize(key)
    if len(uniques) == n:
        return Profile.from_orders(orders, names)
    _, first = np.unique(codes, return_index=True)
    if not np.array_equal(orders[first][codes], orders):
        return Profile.from_orders(orders, names).compressed()
    return Profile.from_orders(orders[first], names, np.bincount(codes, minlength=len(first)).astype(float))


_HASH_MULTIPLIERS = np.random.default_rng(20250101).integers(1, 2**63, size=4096, dtype=np.uint64) | np.uint64(1)


def _names(alternatives) -> list[str]:
    if isinstance(alternatives, (bool, np.bool_)):
        raise AggregationError(f"alternatives must be a count or a list of names, got {alternatives!r}")
    if isinstance(alternatives, (int, np.integer)):
        count = _whole(alternatives, "alternatives", low=1)
        bounds.check("MAX_ALTERNATIVES", count, found=f"alternatives = {count:,}")
        return default_names(count)
    if isinstance(alternatives, str) or not isinstance(alternatives, Sequence):
        raise AggregationError(f"alternatives must be a count or a list of names, got {short(alternatives)}")
    return alternative_names(alternatives)


def _utilities(utilities) -> tuple[list[str], np.ndarray]:
    if isinstance(utilities, (Mapping, pd.Series)):
        bounds.check("MAX_ALTERNATIVES", len(utilities), "utilities")
        names = alternative_names(list(utilities.keys()), what="utilities")
        values = list(utilities.values())
    elif isinstance(utilities, Sequence) and not isinstance(utilities, str):
        bounds.check("MAX_ALTERNATIVES", len(utilities), "utilities")
        values = list(utilities)
        names = default_names(len(values))
        if not names:
            raise AggregationError("utilities: there are no alternatives")
    else:
        raise AggregationError("utilities must map alternative names to numbers, or be a list of numbers")
    out = []
    for name, v in zip(names, values):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not -1e300 < v < 1e300:
            raise AggregationError(f"utilities: the utility of {name!r} is {short(v)}, not a finite number")
        out.append(float(v))
    return names, np.asarray(out)


def _whole(value, what: str, low: int = 0) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise AggregationError(f"{what} must be a whole number, got {short(value)}")
    if value < low:
        raise AggregationError(f"{what} must be at least {low}, got {short(value)}")
    return int(value)


def _count(value, what: str, width: int, limit: str = "MAX_RANKINGS") -> int:
    """A number of voters (or types, ``limit``) within its limit, and within :data:`MAX_CELLS` once
    multiplied by ``width`` (the alternatives, times the dimensions of a spatial model)."""
    n = _whole(value, what, low=1)
    shown = f"{n}" if n < 10**30 else f"a number of {len(str(n)) if n < 10**4000 else 'thousands of'} digits"
    bounds.check(limit, n, found=f"{what} = {shown} is too large")
    bounds.check("MAX_CELLS", n * width, found=f"{what} = {n} is too large: {n} x {width} = {n * width:,} cells")
    return n


def _dimensions(value) -> int:
    d = _whole(value, "dimensions", low=1)
    return bounds.check("MAX_DIMENSIONS", d, found=f"dimensions = {d if d < 10**30 else 'a very large number'}")


def _number(value, what: str, low: float | None = None, high: float | None = None, strict: bool = False) -> float:
    """A finite number, at least ``low`` (above it when ``strict``) and at most ``high``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AggregationError(f"{what} must be a number, got {short(value)}")
    x = as_float(value)
    too_low = low is not None and (x <= low if strict else x < low)
    too_high = high is not None and x > high
    if not np.isfinite(x) or too_low or too_high:
        if high is not None:
            span = f"between {low:g} and {high:g}"
        else:
            span = f"{'above' if strict else 'at least'} {low:g}"
        raise AggregationError(f"{what} must be a number {span}, got {short(value)}")
    return x


def _rng(seed) -> np.random.Generator:
    if seed is None:
        return np.random.default_rng()
    seed = _whole(seed, "seed")
    bounds.check("MAX_SEED", seed, found=f"seed = {seed if seed < 10**30 else 'a very large number'}")
    return np.random.default_rng(seed)


def _positions(rng: np.random.Generator, m: int, n: int, d: int, distribution: str, where: str):
    if distribution == "uniform":
        return rng.uniform(-1.0, 1.0, size=(m, d)), rng.uniform(-1.0, 1.0, size=(n, d))
    if distribution == "gaussian":
        return rng.normal(size=(m, d)), rng.normal(size=(n, d))
    raise AggregationError(f"{where}: distribution must be 'uniform' or 'gaussian', got {distribution!r}")
