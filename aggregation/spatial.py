"""Yee diagrams: which candidate a rule elects when the voters sit around each point of a 2-D issue space.

Ka-Ping Yee's pictures ("Voting simulation visualizations", 2005, http://zesty.ca/voting/sim/): candidates
are points of the plane; for every pixel of a grid, a cloud of voters is centred on the pixel, each voter
ranks the candidates by distance (nearer is better; equally near candidates tie), and the pixel takes the
colour of the rule's winner on that cloud. :func:`yee_maps` draws several rules on the same clouds.

How it is computed (vectorised; the rules themselves are the registry's):

* **One cloud of offsets**, drawn once from ``seed`` and reused at every pixel: ``voters`` points from a
  Gaussian (standard deviation ``spread`` on each axis) or uniform on a disc (radius ``spread``), drawn in
  quadruples ``(x, y), (-x, y), (x, -y), (-x, -y)``. The cloud is symmetric about both axes, so a placement
  of candidates symmetric about a vertical or horizontal line through the grid's centre gives an exactly
  symmetric map, and it is centrally symmetric, so its centre is a median in every direction: the candidate
  nearest to a pixel is never beaten there head to head (Davis, DeGroot & Hinich 1972), and it is the
  Condorcet winner unless the count ties.
* **Per pixel, by vector algebra**: every voter's squared distances to the candidates, the competition
  rank of each candidate (how many candidates are strictly nearer), the exact head-to-head counts
  ``C[a, b] = 2 #(a nearer than b) + #(tied)`` (so ``P = C / (2 n)``) and the weight of each candidate in
  each position (a tie group of j candidates spreading each member over the j positions it spans, the
  convention of :mod:`aggregation.rules.ballots`).
* **The rules**: those in :data:`VECTORISED` are read off these arrays for every pixel at once (scoring
  rules from the position weights, Copeland and NBC from ``C``, the maximal lottery wherever a Condorcet
  winner settles it); ``tests/core/test_spatial.py`` checks each against the registry's own function, pixel
  by pixel. Every other rule is called through the registry once per *distinct* pixel population: on the
  preference matrix alone when it needs only P (``Rule.needs == ANY``), on the weighted rankings otherwise.
  That costs about a millisecond a call, so the result says how many calls it made.

Each pixel's answer is a distribution over the candidates (``shares``): the winners of scores, rankings
and sets share it equally; a lottery or a policy gives its probabilities. ``winner`` is the candidate
holding all of it (-1 where it is shared: a tie or a mixed lottery).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import bounds
from .errors import AggregationError
from .outcome import TIE_RELATIVE
from .populations.matrix import PreferenceMatrix
from .populations.profile import Profile
from .rules.registry import RULES, get_rule
from .rules.result import LOTTERY, POLICY
from .rules.rule import ANY, REWARDS, Rule, RuleParams
from .rules.scoring import points_for
from .validate import alternative_names, distribution

#: Voter clouds: Gaussian (``spread`` = standard deviation per axis) or uniform on a disc (``spread`` = radius).
CLOUDS = ("gaussian", "disc")
#: Limits that keep a map within memory and seconds (the one table of limits: :mod:`aggregation.bounds`).
MAX_CANDIDATES, MAX_GRID = bounds.MAX_YEE_CANDIDATES, bounds.MAX_YEE_GRID
MAX_VOTERS, MAX_CELLS = bounds.MAX_YEE_VOTERS, bounds.MAX_YEE_CELLS
#: Rules read off the per-pixel arrays at once (everything else is called once per distinct pixel population).
VECTORISED = (
    "borda",
    "plurality",
    "anti_plurality",
    "dowdall",
    "positional",
    "copeland",
    "nbc",
    "maximal_lottery",
    "random_dictatorship",
    "uniform",
)
#: Squared-distance arrays are built this many cells (pixels x voters x candidates) at a time.
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class YeeMap:
    """One rule's Yee diagram.

    ``xs``, ``ys``: the pixel centres (``shares[i, j]`` is the pixel at ``(xs[j], ys[i])``; ``ys`` ascend);
    ``shares``: ``(len(ys), len(xs), m)``, each pixel's answer as a distribution over the candidates;
    ``winner``: the candidate index holding all of it, -1 where it is shared; ``condorcet``: the Condorcet
    winner's index per pixel, -1 where there is none; ``method``: how the rule was evaluated; ``calls``:
    how many times the registry's function was called (0 when vectorised); ``seconds``: the time the rule took
    on top of the shared geometry."""

    rule: str
    candidates: pd.DataFrame
    xs: np.ndarray
    ys: np.ndarray
    shares: np.ndarray
    winner: np.ndarray
    condorcet: np.ndarray
    voters: int
    spread: float
    cloud: str
    seed: int
    method: str
    calls: int
    seconds: float

    @property
    def names(self) -> list[str]:
        return list(self.candidates.index)

    def area(self) -> pd.Series:
        """The share of pixels each candidate wins outright, and ``"shared"`` for the rest."""
        m = len(self.names)
        counts = np.bincount(self.winner.ravel() + 1, minlength=m + 1) / self.winner.size
        return pd.Series(list(counts[1:]) + [counts[0]], index=self.names + ["shared"], name="share of the map")


# ---------------------------------------------------------------------------- inputs
def candidate_table(candidates) -> pd.DataFrame:
    """Candidates as a DataFrame indexed by name with float columns ``x`` and ``y``, from a mapping
    ``name -> (x, y)`` or a DataFrame (index = names, columns x and y); refused, naming the problem."""
    if isinstance(candidates, pd.DataFrame):
        missing = [c for c in ("x", "y") if c not in candidates.columns]
        if missing:
            raise AggregationError(f"candidates: the table needs columns x and y (missing: {', '.join(missing)})")
        items = [(name, (row["x"], row["y"])) for name, row in candidates.iterrows()]
    elif isinstance(candidates, Mapping):
        items = list(candidates.items())
    else:
        raise AggregationError("candidates must map each name to its (x, y) position")
    names = alternative_names([name for name, _ in items], what="candidates")
    if len(names) < 2:
        raise AggregationError("candidates: place at least two candidates")
    bounds.check("MAX_YEE_CANDIDATES", len(names), "candidates")
    rows = []
    for name, (_, point) in zip(names, items):
        try:
            x, y = (float(v) for v in point)
        except (TypeError, ValueError):
            raise AggregationError(
                f"candidate {name!r}: the position must be two numbers (x, y), got {point!r}"
            ) from None
        if not (np.isfinite(x) and np.isfinite(y)):
            raise AggregationError(f"candidate {name!r}: the position ({x:g}, {y:g}) must be finite")
        rows.append((x, y))
    return pd.DataFrame(rows, index=names, columns=["x", "y"], dtype=float)


def _grid(grid, extent) -> tuple[np.ndarray, np.ndarray]:
    nx, ny = (grid, grid) if np.isscalar(grid) else tuple(grid)
    sizes = []
    for n, what in ((nx, "columns"), (ny, "rows")):
        if (
            isinstance(n, bool)
            or not isinstance(n, (int, float, np.integer, np.floating))
            or not float(n).is_integer()
            or n < 2
        ):
            raise AggregationError(f"grid: the number of {what} must be a whole number from 2 to {MAX_GRID}, got {n!r}")
        sizes.append(bounds.check("MAX_YEE_GRID", int(n), f"grid: {what}"))
    try:
        x0, x1, y0, y1 = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise AggregationError(f"extent must be four numbers (x_min, x_max, y_min, y_max), got {extent!r}") from None
    if not all(np.isfinite([x0, x1, y0, y1])) or x1 <= x0 or y1 <= y0:
        raise AggregationError(
            f"extent ({x0:g}, {x1:g}, {y0:g}, {y1:g}) must be finite with x_min < x_max and y_min < y_max"
        )

    def centres(lo, hi, n):  # exactly mirror-symmetric about the middle (integer offsets, one rounding)
        return (lo + hi) / 2 + (hi - lo) / 2 * np.arange(1 - n, n, 2, dtype=float) / n

    return centres(x0, x1, sizes[0]), centres(y0, y1, sizes[1])


def voter_cloud(voters: int, spread: float, cloud: str = "gaussian", seed: int = 0) -> np.ndarray:
    """The offsets of the voters from a pixel's centre, ``(n, 2)``: ``voters`` rounded up to a multiple of
    4, drawn in the quadruples ``(x, y), (-x, y), (x, -y), (-x, -y)`` (see the module docstring)."""
    if (
        isinstance(voters, bool)
        or not isinstance(voters, (int, float, np.integer, np.floating))
        or not float(voters).is_integer()
        or voters < 1
    ):
        raise AggregationError(f"voters: a whole number from 1 to {MAX_VOTERS} per pixel, got {voters!r}")
    bounds.check("MAX_YEE_VOTERS", int(voters), "voters per pixel")
    try:
        spread = float(spread)
    except (TypeError, ValueError):
        raise AggregationError(f"spread must be a number, got {spread!r}") from None
    if not np.isfinite(spread) or spread <= 0:
        raise AggregationError(f"spread must be a positive number, got {spread!r}")
    if cloud not in CLOUDS:
        raise AggregationError(f"cloud must be one of {', '.join(CLOUDS)}, got {cloud!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AggregationError(f"seed must be a whole number from 0 to 2**64 - 1, got {seed!r}")
    bounds.check("MAX_SEED", int(seed), "seed")
    quarter = -(-int(voters) // 4)
    rng = np.random.default_rng(int(seed))
    if cloud == "gaussian":
        base = rng.normal(0.0, spread, size=(quarter, 2))
    else:  # uniform on the disc: radius sqrt(U), angle uniform
        radius = spread * np.sqrt(rng.uniform(size=quarter))
        angle = rng.uniform(0.0, 2 * np.pi, size=quarter)
        base = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return np.vstack([base, base * [-1.0, 1.0], base * [1.0, -1.0], -base])


# ---------------------------------------------------------------------------- the geometry of every pixel
@dataclass(frozen=True, eq=False)
class _Pixels:
    """Per pixel (flattened, row-major over ``ys`` then ``xs``): ``C`` (pixels, m, m) head-to-head counts
    ``2 #(a nearer) + #(tied)``; ``positions`` (pixels, m, m) the weight in each position; ``codes`` (pixels,
    voters) each voter's weak order as an integer, sorted (only when a rule needs the rankings)."""

    C: np.ndarray
    positions: np.ndarray
    codes: np.ndarray | None
    n: int


def _pixels(points: np.ndarray, xs: np.ndarray, ys: np.ndarray, offsets: np.ndarray, need_codes: bool) -> _Pixels:
    m, n = len(points), len(offsets)
    C = np.empty((len(ys), len(xs), m, m), dtype=np.int64)
    positions = np.zeros((len(ys), len(xs), m, m))
    codes = np.empty((len(ys), len(xs), n), dtype=np.int64) if need_codes else None
    dx2 = ((xs[:, None] + offsets[None, :, 0])[:, :, None] - points[None, None, :, 0]) ** 2  # (nx, n, m)
    rows = max(1, _CHUNK_CELLS // (len(xs) * n * m))
    powers = m ** np.arange(m, dtype=np.int64)
    for start in range(0, len(ys), rows):
        y = ys[start : start + rows]
        dy2 = ((y[:, None] + offsets[None, :, 1])[:, :, None] - points[None, None, :, 1]) ** 2  # (ny, n, m)
        d = dy2[:, None] + dx2[None]  # (ny, nx, n, m)
        rank = np.zeros(d.shape, dtype=np.int16)  # candidates strictly nearer
        size = np.zeros(d.shape, dtype=np.int16)  # the candidate's tie group (itself included)
        for a in range(m):
            for b in range(m):
                nearer = d[..., b] < d[..., a]
                rank[..., a] += nearer
                size[..., a] += d[..., b] == d[..., a]
                if b > a:
                    tied = (d[..., a] == d[..., b]).sum(axis=-1)
                    wins = nearer.sum(axis=-1)  # voters preferring b to a
                    C[start : start + rows, :, b, a] = 2 * wins + tied
                    C[start : start + rows, :, a, b] = 2 * (n - wins - tied) + tied
        for a in range(m):
            C[start : start + rows, :, a, a] = n
            share = 1.0 / size[..., a]
            for p in range(m):
                inside = (rank[..., a] <= p) & (p < rank[..., a] + size[..., a])
                positions[start : start + rows, :, a, p] = (inside * share).sum(axis=-1)
        if need_codes:
            codes[start : start + rows] = np.sort((rank.astype(np.int64) * powers).sum(axis=-1), axis=-1)
    flat = len(ys) * len(xs)
    return _Pixels(
        C.reshape(flat, m, m), positions.reshape(flat, m, m), None if codes is None else codes.reshape(flat, n), n
    )


def _condorcet(C: np.ndarray) -> np.ndarray:
    """Per pixel, the candidate beating every other strictly (-1 where none)."""
    m = C.shape[1]
    beats = (C > np.swapaxes(C, 1, 2)) | np.eye(m, dtype=bool)
    winner = beats.all(axis=2)
    return np.where(winner.any(axis=1), winner.argmax(axis=1), -1)


def _top_shares(values: np.ndarray) -> np.ndarray:
    """Per pixel, 1/|top| on the alternatives tied for the largest value (the tolerance of
    :mod:`aggregation.outcome`), 0 elsewhere."""
    finite = np.where(np.isfinite(values), values, -np.inf)
    best = finite.max(axis=1, keepdims=True)
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(values), values, 0.0)).max(axis=1, keepdims=True))
    top = finite >= best - TIE_RELATIVE * scale
    return top / top.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------- the rules
def _vectorised(rule_id: str, px: _Pixels, params: RuleParams, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(shares, todo)``: the answer of every pixel read off the arrays; ``todo`` marks pixels the
    vectorised form leaves to the registry (the maximal lottery without a Condorcet winner)."""
    m = len(names)
    todo = np.zeros(len(px.C), dtype=bool)
    D = px.positions
    if rule_id == "borda":
        return _top_shares(D @ np.arange(m - 1, -1, -1, dtype=float)), todo
    if rule_id == "plurality":
        return _top_shares(D[:, :, 0]), todo
    if rule_id == "anti_plurality":
        return _top_shares(px.n - D[:, :, -1]), todo
    if rule_id == "dowdall":
        return _top_shares(D @ (1.0 / np.arange(1, m + 1))), todo
    if rule_id == "positional":
        return _top_shares(D @ points_for(params.weights, m)), todo
    if rule_id == "random_dictatorship":
        return D[:, :, 0] / px.n, todo
    if rule_id == "uniform":
        return np.full((len(px.C), m), 1.0 / m), todo
    CT = np.swapaxes(px.C, 1, 2)
    if rule_id == "copeland":
        return _top_shares((px.C > CT).sum(axis=2) + 0.5 * ((px.C == CT).sum(axis=2) - 1)), todo
    if rule_id == "nbc":
        weights = distribution(params.sampling_over(names), names).to_numpy()
        return _top_shares(px.C @ weights / (2.0 * px.n)), todo
    if rule_id == "maximal_lottery":
        cw = _condorcet(px.C)
        shares = np.zeros((len(px.C), m))
        found = cw >= 0
        shares[np.flatnonzero(found), cw[found]] = 1.0
        return shares, ~found
    raise AssertionError(f"no vectorised form for {rule_id}")  # pragma: no cover - VECTORISED lists them


def _answer(rule: Rule, result) -> np.ndarray:
    values = result.values.to_numpy(float)
    if rule.output in (LOTTERY, POLICY):
        return values
    return _top_shares(values[None, :])[0]


def _registry(
    rule: Rule, px: _Pixels, params: RuleParams, names: list[str], pixels: np.ndarray
) -> tuple[np.ndarray, int]:
    """The registry's rule on each distinct population among ``pixels``: the preference matrix when the
    rule needs only P, the weighted rankings otherwise. Returns the shares of those pixels and the calls made."""
    m = len(names)
    if rule.needs == ANY:
        keys = px.C[pixels].reshape(len(pixels), m * m)
    else:
        keys = px.codes[pixels]
    distinct, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    answers = np.empty((len(distinct), m))
    powers = m ** np.arange(m, dtype=np.int64)
    for i, pixel in enumerate(pixels[first]):
        if rule.needs == ANY:
            population = PreferenceMatrix(pd.DataFrame(px.C[pixel] / (2.0 * px.n), index=names, columns=names))
        else:
            code, count = np.unique(px.codes[pixel], return_counts=True)
            population = Profile.from_levels((code[:, None] // powers[None, :]) % m, names, count.astype(float))
        answers[i] = _answer(rule, rule.compute(population, params))
    return answers[inverse.reshape(-1)], len(distinct)


def yee_maps(
    candidates,
    rule_ids: Sequence[str],
    *,
    grid=100,
    extent=(-1.0, 1.0, -1.0, 1.0),
    spread: float = 0.5,
    voters: int = 200,
    seed: int = 0,
    cloud: str = "gaussian",
    params: RuleParams | None = None,
    vectorise: bool = True,
) -> dict[str, YeeMap]:
    """Yee diagrams of several rules on the same voter clouds (see the module docstring).

    ``candidates``: name -> (x, y), or a DataFrame with columns x and y; ``grid``: pixels per side (or
    ``(columns, rows)``) over ``extent = (x_min, x_max, y_min, y_max)``; ``spread``, ``voters``, ``cloud``
    and ``seed``: the voter cloud around each pixel (:func:`voter_cloud`); ``params``: the rules' parameters;
    ``vectorise=False`` calls the registry on every distinct pixel population even for the rules of
    :data:`VECTORISED` (the reference the tests compare the vectorised forms with). A rule that needs reward
    functions is refused (voters placed in a plane have rankings, no rewards)."""
    table = candidate_table(candidates)
    names = list(table.index)
    params = params or RuleParams()
    rules = [get_rule(r) for r in rule_ids]
    for rule in rules:
        if rule.needs == REWARDS:
            raise AggregationError(
                f"{rule.name}: it needs user types with rewards; voters placed in a plane only "
                "rank the candidates by distance"
            )
    xs, ys = _grid(grid, extent)
    offsets = voter_cloud(voters, spread, cloud, seed)
    bounds.check(
        "MAX_YEE_CELLS",
        len(xs) * len(ys) * len(offsets),
        f"{len(xs)} x {len(ys)} pixels with {len(offsets)} voters each (use fewer pixels or fewer voters)",
    )
    need_codes = any(r.needs != ANY and (r.id not in VECTORISED or not vectorise) for r in rules)
    px = _pixels(table.to_numpy(float), xs, ys, offsets, need_codes)
    condorcet = _condorcet(px.C).reshape(len(ys), len(xs))
    maps = {}
    for rule in rules:
        started = time.perf_counter()
        if rule.id in VECTORISED and vectorise:
            shares, todo = _vectorised(rule.id, px, params, names)
            method = "vectorised over the pixels"
        else:
            shares, todo = np.zeros((len(px.C), len(names))), np.ones(len(px.C), dtype=bool)
            method = ""
        calls = 0
        if todo.any():
            pixels = np.flatnonzero(todo)
            shares[pixels], calls = _registry(rule, px, params, names, pixels)
            what = "its preference matrix" if rule.needs == ANY else "its weighted rankings"
            method = (f"{method}, and " if method else "") + (
                f"the registry's rule on {what}, once per distinct pixel population ({calls:,} calls)"
            )
        holder = np.isclose(shares, 1.0, rtol=0, atol=1e-9)
        winner = np.where(holder.any(axis=1), holder.argmax(axis=1), -1)
        maps[rule.id] = YeeMap(
            rule.id,
            table,
            xs,
            ys,
            shares.reshape(len(ys), len(xs), -1),
            winner.reshape(len(ys), len(xs)),
            condorcet,
            len(offsets),
            float(spread),
            cloud,
            int(seed),
            method,
            calls,
            time.perf_counter() - started,
        )
    return maps


def yee_map(
    candidates,
    rule_id: str,
    grid=100,
    spread: float = 0.5,
    voters: int = 200,
    seed: int = 0,
    *,
    extent=(-1.0, 1.0, -1.0, 1.0),
    cloud: str = "gaussian",
    params: RuleParams | None = None,
) -> YeeMap:
    """One rule's Yee diagram (:func:`yee_maps` with one rule)."""
    return yee_maps(
        candidates,
        [rule_id],
        grid=grid,
        extent=extent,
        spread=spread,
        voters=voters,
        seed=seed,
        cloud=cloud,
        params=params,
    )[get_rule(rule_id).id]


def yee_rules() -> dict[str, str]:
    """The rules a Yee diagram can show (all but those needing rewards), by id, with how each is
    evaluated: ``"vectorised"`` or ``"per pixel"`` (about a millisecond per distinct pixel population;
    the test-time games, a game solved per pixel, are ``"game per pixel"``)."""
    out = {}
    for rule in RULES.values():
        if rule.needs == REWARDS:
            continue
        out[rule.id] = "vectorised" if rule.id in VECTORISED else "game per pixel" if rule.solves_game else "per pixel"
    return out
