"""User types with reward functions, annotating by Bradley-Terry / Plackett-Luce."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import expit, softmax

from .. import bounds
from ..errors import AggregationError
from ..validate import alternative_names, positive_weights, short
from .base import USER_TYPES, Population
from .profile import Profile

#: :meth:`RewardPopulation.plackett_luce_profile` lists every strict ranking (m! of them) up to this many
#: alternatives (8! = 40,320 rankings); beyond it the rules that read whole rankings refuse user types.
PLACKETT_LUCE_PROFILE_MAX = 8


class RewardPopulation(Population):
    """User types ``u`` with weights ``w_u`` and rewards ``r_u(y)``; annotator temperature ``T``.

    An annotator of type ``u`` prefers ``a`` to ``b`` with probability
    ``sigmoid((r_u(a) - r_u(b)) / T)`` (Bradley-Terry); shown several responses, it picks and
    ranks them by Plackett-Luce with weights ``exp(r_u / T)``.

    ``rewards`` is a DataFrame (types as rows, alternatives as columns) or a dict
    ``{type: {alternative: reward}}``; ``weights`` a mapping or sequence over types (default
    equal weights).
    """

    kind = USER_TYPES
    noun, nouns = "user type", "user types"
    has_full_rankings = True
    has_rewards = True

    def __init__(self, rewards, weights=None, temperature: float = 1.0):
        table = _reward_table(rewards)
        self._alternatives = tuple(alternative_names(list(table.columns), what="reward table columns"))
        self._types = tuple(
            alternative_names([_type_name(t) for t in table.index], what="user types", limit="MAX_TYPES")
        )
        table.index = list(self._types)
        table.columns = list(self._alternatives)
        self._rewards = table
        if isinstance(weights, Mapping) or isinstance(weights, pd.Series):
            unknown = [k for k in weights.keys() if str(k) not in self._types]
            if unknown:
                raise AggregationError(f"weights: unknown user type {unknown[0]!r}")
            missing = [t for t in self._types if t not in {str(k) for k in weights.keys()}]
            if missing:
                raise AggregationError(f"weights: no weight given for user type {missing[0]!r}")
            weights = [dict((str(k), v) for k, v in weights.items())[t] for t in self._types]
        self._weights = positive_weights(weights, len(self._types), label=lambda i: f"user type {self._types[i]!r}")
        if isinstance(temperature, (bool, np.bool_, str, bytes)):
            raise AggregationError(f"temperature must be a number, got {short(temperature)}")
        try:
            temperature = float(temperature)
        except (TypeError, ValueError, OverflowError):
            raise AggregationError(f"temperature must be a number, got {short(temperature)}") from None
        if not np.isfinite(temperature) or temperature <= 0:
            raise AggregationError(f"temperature must be a positive number, got {temperature!r}")
        with np.errstate(over="ignore"):
            scaled = table.to_numpy(float) / temperature
        if not np.isfinite(scaled).all():
            raise AggregationError(
                f"rewards / temperature overflow (a reward of up to {np.abs(table.to_numpy(float)).max():g} "
                f"at temperature {temperature:g}); use smaller rewards or a larger temperature"
            )
        self._temperature = temperature
        self._cache: dict[str, object] = {}

    # ----------------------------------------------------------------- attributes
    @property
    def alternatives(self) -> list[str]:
        return list(self._alternatives)

    @property
    def types(self) -> list[str]:
        return list(self._types)

    @property
    def rewards(self) -> pd.DataFrame:
        return self._rewards.copy()

    @property
    def weights(self) -> pd.Series:
        return pd.Series(self._weights, index=self.types, name="weight")

    @property
    def total_weight(self) -> float:
        return float(self._weights.sum())

    @property
    def n_rows(self) -> int:
        """The number of user types."""
        return len(self._types)

    @property
    def shares(self) -> np.ndarray:
        return self._weights / self._weights.sum()

    @property
    def temperature(self) -> float:
        return self._temperature

    def __repr__(self) -> str:
        return (
            f"RewardPopulation({len(self._types)} user types over {len(self._alternatives)} alternatives, "
            f"temperature {self._temperature:g})"
        )

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update("\x1f".join(self._alternatives).encode())
        h.update("\x1f".join(self._types).encode())
        h.update(np.ascontiguousarray(self._rewards.to_numpy(float)).tobytes())
        h.update(np.ascontiguousarray(self._weights).tobytes())
        h.update(repr(self._temperature).encode())
        return "rewards:" + h.hexdigest()

    # ----------------------------------------------------------------- derived
    def type_preference_matrices(self) -> np.ndarray:
        """``Q[u, a, b] = sigmoid((r_u(a) - r_u(b)) / T)`` for every user type."""
        if "Q" not in self._cache:
            R = self._rewards.to_numpy(float) / self._temperature
            Q = expit(R[:, :, None] - R[:, None, :])
            Q.setflags(write=False)
            self._cache["Q"] = Q
        return self._cache["Q"]

    def preference_matrix(self) -> pd.DataFrame:
        """``P[a, b] = sum_u w_u sigmoid((r_u(a) - r_u(b)) / T) / sum_u w_u``."""
        P = np.tensordot(self.shares, self.type_preference_matrices(), axes=(0, 0))
        np.fill_diagonal(P, 0.5)
        return pd.DataFrame(P, index=self.alternatives, columns=self.alternatives)

    def average_reward(self) -> pd.Series:
        """``E_u r_u(y)`` under the type weights."""
        avg = self.shares @ self._rewards.to_numpy(float)
        return pd.Series(avg, index=self.alternatives, name="average reward")

    def choice_probabilities(self) -> np.ndarray:
        """``C[u, y]``: probability that an annotator of type u picks y among all alternatives."""
        return softmax(self._rewards.to_numpy(float) / self._temperature, axis=1)

    def first_place_distribution(self) -> pd.Series:
        """Probability that a random annotator picks each alternative as its favourite (Plackett-Luce)."""
        return pd.Series(self.shares @ self.choice_probabilities(), index=self.alternatives, name="first-place share")

    unique_first_shares = first_place_distribution  # a continuous choice has no ties

    def plackett_luce_profile(self) -> Profile:
        """The annotators' rankings as a weighted profile, exactly: every strict ranking of the
        alternatives with weight ``total_weight * sum_u share_u * PL_u(ranking)``, where
        ``PL_u(y_1 > ... > y_m) = prod_j w_u(y_j) / sum_{l >= j} w_u(y_l)`` and ``w_u = exp(r_u / T)``
        (Plackett-Luce, the reading of the types for multi-response comparisons; DESIGN.md). Rankings
        whose probability underflows to 0 are left out. Only up to :data:`PLACKETT_LUCE_PROFILE_MAX`
        alternatives (the profile has m! rankings); beyond it, refused."""
        m = len(self._alternatives)
        if m > PLACKETT_LUCE_PROFILE_MAX:
            raise AggregationError(
                f"listing every ranking of {m} alternatives ({m}! of them) is beyond the exact limit of "
                f"{PLACKETT_LUCE_PROFILE_MAX} alternatives"
            )
        if "pl_profile" not in self._cache:
            orders = np.array(list(itertools.permutations(range(m))), dtype=np.intp).reshape(-1, m)
            R = self._rewards.to_numpy(float) / self._temperature
            prob = np.zeros(len(orders))
            for share, r in zip(self.shares, R):
                x = r[orders]  # rewards in ranking order
                tail = np.logaddexp.accumulate(x[:, ::-1], axis=1)[:, ::-1]  # log sum_{l >= j} w(y_l)
                prob += share * np.exp((x - tail).sum(axis=1))
            keep = prob > 0
            self._cache["pl_profile"] = Profile.from_orders(
                orders[keep], self.alternatives, self.total_weight * prob[keep]
            )
        return self._cache["pl_profile"]

    def draw_voters(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` user types drawn by weight (their positions in :attr:`types`)."""
        return rng.choice(len(self._types), size=n, p=self.shares)

    def draw_labels(
        self, a: np.ndarray, b: np.ndarray, coin: np.ndarray, rng: np.random.Generator, voters: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One user type per pair, drawn by weight (or ``voters``, positions of types, when given; reported
        by name), labels it by its Bradley-Terry probability: ``a[i]`` wins when
        ``coin < sigmoid((r(a) - r(b)) / T)``."""
        voter = self.draw_voters(len(a), rng) if voters is None else np.asarray(voters)
        return coin < self.type_preference_matrices()[voter, a, b], np.asarray(self._types, dtype=object)[voter]

    def with_temperature(self, temperature: float) -> "RewardPopulation":
        return RewardPopulation(self._rewards, self._weights, temperature)

    def restrict(self, alternatives: Sequence[str]) -> "RewardPopulation":
        keep = alternative_names(alternatives, what="restrict")
        for a in keep:
            self._check(a, "restrict")
        return RewardPopulation(self._rewards[keep], self._weights, self._temperature)

    def with_clone(self, alternative: str, name: str) -> "RewardPopulation":
        """Add ``name`` with exactly the rewards of ``alternative`` for every type."""
        self._check(alternative, "with_clone")
        if not isinstance(name, str) or not name.strip() or name.strip() in self._alternatives:
            raise AggregationError(f"with_clone: {name!r} is empty or already an alternative")
        table = self._rewards.copy()
        table.insert(table.columns.get_loc(alternative) + 1, name.strip(), table[alternative])
        return RewardPopulation(table, self._weights, self._temperature)

    def _check(self, name: str, where: str) -> None:
        if name not in self._alternatives:
            raise AggregationError(f"{where}: unknown alternative {name!r} (known: {', '.join(self._alternatives)})")


def _type_name(t) -> str:
    """A user type's label as text (a whole number such as 3 becomes "3")."""
    if isinstance(t, str):
        return t
    if isinstance(t, (int, np.integer)) and not isinstance(t, (bool, np.bool_)) and abs(int(t)) < 10**18:
        return str(int(t))
    raise AggregationError(f"user types: every name must be text, got {short(t)}")


def _reward_table(rewards) -> pd.DataFrame:
    if isinstance(rewards, pd.DataFrame):
        bounds.check("MAX_TYPES", rewards.shape[0], "the reward table")
        bounds.check("MAX_ALTERNATIVES", rewards.shape[1], "the reward table")
        table = rewards.copy()
    elif isinstance(rewards, Mapping):
        if not rewards:
            raise AggregationError("the population is empty: there are no user types")
        bounds.check("MAX_TYPES", len(rewards), "the rewards")
        alts: dict[str, None] = {}
        for t, row in rewards.items():
            if not isinstance(row, Mapping):
                raise AggregationError(f"user type {short(t)}: rewards must map alternatives to numbers")
            alts.update(dict.fromkeys(row))
            bounds.check("MAX_ALTERNATIVES", len(alts), "the rewards")
        alts = list(alts)
        for t, row in rewards.items():
            missing = [a for a in alts if a not in row]
            if missing:
                raise AggregationError(f"user type {t!r}: no reward given for {missing[0]!r}")
        table = pd.DataFrame([[rewards[t][a] for a in alts] for t in rewards], index=list(rewards), columns=alts)
    else:
        raise AggregationError("rewards must be a DataFrame (types x alternatives) or a dict of dicts")
    if table.shape[0] == 0:
        raise AggregationError("the population is empty: there are no user types")
    if table.shape[1] == 0:
        raise AggregationError("the reward table has no alternatives")
    for labels, what in ((table.columns, "alternative"), (table.index, "user type")):
        twice = labels[labels.duplicated()]
        if len(twice):
            raise AggregationError(f"duplicate {what} {short(twice[0])}")
    t, m = table.shape
    bounds.check(
        "MAX_TYPE_CELLS",
        t * m * m,
        "the reward table",
        found=f"{t:,} user types x {m:,}² alternatives = {t * m * m:,} cells",
    )
    loose = [c for c, dtype in zip(table.columns, table.dtypes) if dtype == bool or dtype == object]
    flags = (
        table[loose]
        .map(lambda v: isinstance(v, (bool, np.bool_)))
        .reindex(columns=table.columns, fill_value=False)
        .to_numpy(bool)
        if loose
        else np.zeros(table.shape, bool)
    )
    if flags.any():
        r, c = np.argwhere(flags)[0]
        raise AggregationError(
            f"user type {short(table.index[r])}: reward for {short(table.columns[c])} is "
            f"{table.iat[r, c]!r}, not a number"
        )
    values = table.apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.astype(float))
    if bad.to_numpy().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        value = table.iat[r, c]
        shown = format(float(value), "g") if isinstance(value, (float, np.floating)) else repr(value)
        raise AggregationError(
            f"user type {short(table.index[r])}: reward for {short(table.columns[c])} is {shown[:40]}, not a finite number"
        )
    return values.astype(float)
