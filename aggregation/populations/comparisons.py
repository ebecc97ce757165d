"""Tables of pairwise comparisons, and drawing such tables from a population."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import bounds
from ..errors import AggregationError
from ..validate import _BAD_NAME_CHARS, alternative_names, cell, distribution, short
from ..validate import name as check_name
from .base import COMPARISONS, Population
from .matrix import as_population

VOTER_COLUMNS = ("voter", "annotator", "type")


class PairwiseData(Population):
    """Comparisons ``chosen`` over ``rejected``, optionally with who judged (``voter``).

    ``preference_matrix()`` estimates ``P[a, b]`` by the share of the a-vs-b comparisons won
    by a; a pair never compared gets 1/2 and is listed by :meth:`unobserved_pairs`.
    ``standard_errors()`` gives the binomial standard error of each estimate.
    """

    kind = COMPARISONS
    noun, nouns = "comparison", "comparisons"

    def __init__(self, table: pd.DataFrame, alternatives: Sequence[str] | None = None):
        if not isinstance(table, pd.DataFrame):
            raise AggregationError("comparisons must be a table (DataFrame) with columns chosen and rejected")
        missing = [c for c in ("chosen", "rejected") if c not in table.columns]
        if missing:
            raise AggregationError(
                f"the comparison table has no {missing[0]!r} column (columns found: {', '.join(map(str, table.columns))})"
            )
        if len(table) == 0:
            raise AggregationError("the comparison table is empty")
        bounds.check("MAX_COMPARISONS", len(table), "the comparison table")
        table = table.reset_index(drop=True).copy()
        columns = {}
        for col in ("chosen", "rejected"):  # plain lists: small tables are checked without pandas' overhead
            out = []
            for i, value in enumerate(table[col].tolist()):
                try:
                    cell(value, col)
                except AggregationError as exc:
                    raise AggregationError(f"row {i + 1}: {exc}") from None
                text = "" if value is None or value != value else str(value).strip()
                if not text:
                    raise AggregationError(f"row {i + 1}: {col} is empty")
                out.append(text)
            columns[col] = out
            table[col] = out
        chosen, rejected = columns["chosen"], columns["rejected"]
        same = next((i for i, (a, b) in enumerate(zip(chosen, rejected)) if a == b), None)
        if same is not None:
            raise AggregationError(f"row {same + 1}: a response is compared with itself ({chosen[same]!r})")
        seen = list(dict.fromkeys(chosen + rejected))

        def first_row(name: str) -> int:
            return next(i for i, (a, b) in enumerate(zip(chosen, rejected)) if name in (a, b))

        if alternatives is None:
            bounds.check("MAX_ALTERNATIVES", len(seen), "the comparison table")
            for a in seen:
                try:
                    check_name(a, "alternatives")
                except AggregationError as exc:
                    raise AggregationError(f"row {first_row(a) + 1}: {exc}") from None
            alts = sorted(seen)
        else:
            alts = alternative_names(alternatives)
            known_set = set(alts)
            unknown = [a for a in seen if a not in known_set]
            if unknown:
                known = ", ".join(alts[:20]) + (", …" if len(alts) > 20 else "")
                raise AggregationError(
                    f"row {first_row(unknown[0]) + 1}: unknown alternative {unknown[0][:200]!r} (known: {known})"
                )
        voter = next((c for c in VOTER_COLUMNS if c in table.columns), None)
        if voter is not None:
            voters = table[voter].tolist()
            bad = [
                i
                for i, v in enumerate(voters)
                if isinstance(v, str) and (len(v) > bounds.MAX_NAME_CHARS or _BAD_NAME_CHARS.search(v))
            ]
            if bad:
                raise AggregationError(
                    f"row {bad[0] + 1}: the {voter} {short(voters[bad[0]])} must be printable "
                    f"text on one line of at most {bounds.MAX_NAME_CHARS} characters"
                )
        self._alternatives = tuple(alts)
        self._table = table
        index = {a: j for j, a in enumerate(alts)}
        self._chosen = np.fromiter((index[a] for a in chosen), dtype=np.intp, count=len(chosen))
        self._rejected = np.fromiter((index[a] for a in rejected), dtype=np.intp, count=len(rejected))

    @property
    def alternatives(self) -> list[str]:
        return list(self._alternatives)

    @property
    def table(self) -> pd.DataFrame:
        return self._table.copy()

    @property
    def n_comparisons(self) -> int:
        return len(self._table)

    @property
    def n_rows(self) -> int:
        return self.n_comparisons

    @property
    def voter_column(self) -> str | None:
        return next((c for c in VOTER_COLUMNS if c in self._table.columns), None)

    def __len__(self) -> int:
        return self.n_comparisons

    def __repr__(self) -> str:
        return f"PairwiseData({self.n_comparisons} comparisons over {len(self._alternatives)} alternatives)"

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update("\x1f".join(self._alternatives).encode())
        h.update(self._chosen.tobytes())
        h.update(self._rejected.tobytes())
        return "pairs:" + h.hexdigest()

    def wins(self) -> pd.DataFrame:
        """``wins[a, b]``: number of comparisons in which a was chosen over b."""
        m = len(self._alternatives)
        counts = np.bincount(self._chosen * m + self._rejected, minlength=m * m).reshape(m, m)
        return pd.DataFrame(counts, index=self.alternatives, columns=self.alternatives)

    def comparison_counts(self) -> pd.DataFrame:
        """``n[a, b]``: number of comparisons between a and b (either way)."""
        W = self.wins()
        return W + W.T

    def preference_matrix(self) -> pd.DataFrame:
        W = self.wins().to_numpy(float)
        N = W + W.T
        with np.errstate(invalid="ignore", divide="ignore"):
            P = np.where(N > 0, W / np.where(N > 0, N, 1), 0.5)
        np.fill_diagonal(P, 0.5)
        return pd.DataFrame(P, index=self.alternatives, columns=self.alternatives)

    def unobserved_pairs(self) -> list[tuple[str, str]]:
        """The pairs ``(a, b)`` (a before b in the alternatives' order) never compared; their ``P`` is 1/2."""
        W = self.wins().to_numpy()
        N = W + W.T
        return [
            (a, b)
            for i, a in enumerate(self._alternatives)
            for j, b in enumerate(self._alternatives)
            if i < j and N[i, j] == 0
        ]

    def restrict(self, alternatives: Sequence[str]) -> "PairwiseData":
        """The comparisons between the given alternatives only (``P`` restricted to them: each entry
        depends only on the comparisons of its own pair)."""
        keep = alternative_names(alternatives, what="restrict")
        unknown = [a for a in keep if a not in self._alternatives]
        if unknown:
            raise AggregationError(
                f"restrict: unknown alternative {unknown[0]!r} (known: {', '.join(self._alternatives)})"
            )
        rows = self._table["chosen"].isin(keep) & self._table["rejected"].isin(keep)
        if not rows.any():
            raise AggregationError(f"restrict: no comparison is left between {', '.join(keep)}")
        return PairwiseData(self._table[rows], alternatives=keep)

    def standard_errors(self) -> pd.DataFrame:
        """``sqrt(P (1 - P) / n)`` per pair; NaN for pairs never compared, 0 on the diagonal."""
        P = self.preference_matrix().to_numpy(float)
        N = self.comparison_counts().to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(N > 0, np.sqrt(P * (1 - P) / np.where(N > 0, N, 1)), np.nan)
        np.fill_diagonal(se, 0.0)
        return pd.DataFrame(se, index=self.alternatives, columns=self.alternatives)


def sample_pairs(sampling: pd.Series, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` ordered pairs of distinct alternatives from ``D x D`` conditioned on being distinct."""
    D = sampling.to_numpy(float)
    if (D > 0).sum() < 2:
        raise AggregationError("the sampling distribution must give positive probability to at least two alternatives")
    # P(first = a, second = b) must be proportional to D_a D_b for a != b, so the first draw
    # follows D_a (1 - D_a) and the second follows D without the first
    first_weights = D * (1.0 - D)
    first_cdf = np.cumsum(first_weights / first_weights.sum())
    first = np.minimum(np.searchsorted(first_cdf, rng.random(n), side="right"), len(D) - 1)
    cum = np.cumsum(D)
    cum[-1] = 1.0
    # second ~ D restricted to the other alternatives: invert the CDF with `first`'s mass removed
    u = rng.random(n) * (1.0 - D[first])
    second = np.searchsorted(cum, u, side="right")
    after = second >= first
    second[after] = np.searchsorted(cum, u[after] + D[first[after]], side="right")
    second = np.minimum(second, len(D) - 1)
    clash = second == first  # only possible through rounding at the very end of the CDF
    if clash.any():
        positive = np.flatnonzero(D > 0)
        second[clash] = [positive[positive != f][-1] for f in first[clash]]
    return first, second


def sample_comparisons(population: Population, n: int, sampling=None, seed=None) -> PairwiseData:
    """Draw ``n`` comparisons the way the Jackpot paper builds its datasets.

    Each row: a pair of distinct alternatives from the sampling distribution (``D x D``
    conditioned on distinct; default uniform), a random voter (a ranking drawn by weight, or a
    user type drawn by weight), and that voter's label: a ranking's strict preference (a coin
    flip when it is indifferent), a user type's Bradley-Terry draw. For a preference matrix or
    comparison table the label is drawn from ``P`` and the voter column is left empty.
    """
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise AggregationError(f"the number of comparisons must be an integer, got {n!r}") from None
    if n <= 0:
        raise AggregationError(f"the number of comparisons must be positive, got {n}")
    population = as_population(population)
    alts = population.alternatives
    if len(alts) < 2:
        raise AggregationError("comparisons need at least two alternatives")
    D = distribution(sampling, alts)
    rng = np.random.default_rng(seed)
    a, b = sample_pairs(D, n, rng)
    coin = rng.random(n)
    a_wins, voters = population.draw_labels(a, b, coin, rng)
    names = np.asarray(alts, dtype=object)
    chosen = np.where(a_wins, a, b)
    rejected = np.where(a_wins, b, a)
    table = pd.DataFrame({"chosen": names[chosen], "rejected": names[rejected], "voter": voters})
    return PairwiseData(table, alternatives=alts)


def sample_paired_comparisons(population: Population, n: int, sampling=None, seed=None) -> PairwiseData:
    """Draw ``n`` pairs of comparisons, each pair labelled by the same annotator: the paired
    preferences of Shirali et al., "Direct Alignment with Heterogeneous Preferences", section 5.3.

    Each annotator: a random voter (a ranking drawn by weight, or a user type drawn by weight; a
    "type" of rankings is one voter), two pairs of distinct alternatives drawn independently from
    ``D x D`` conditioned on distinct (the same pair may come twice), and that voter's two labels
    (as :func:`sample_comparisons`: a ranking's strict preference or a coin flip on a tie, a user
    type's two independent Bradley-Terry draws). The table has ``2 n`` rows, annotator ``i``'s two
    comparisons in rows ``2 i`` and ``2 i + 1``, with columns ``chosen``, ``rejected``, ``voter`` and
    ``annotator`` (``i + 1``). Populations without voters (a matrix, a comparison table) are refused.
    """
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise AggregationError(f"the number of annotators must be an integer, got {n!r}") from None
    if n <= 0:
        raise AggregationError(f"the number of annotators must be positive, got {n}")
    population = as_population(population)
    alts = population.alternatives
    if len(alts) < 2:
        raise AggregationError("comparisons need at least two alternatives")
    if not population.has_full_rankings:
        raise AggregationError(
            "paired comparisons need voters who each label two pairs (rankings or user types); "
            f"a population of kind {population.kind!r} only has pairwise preferences"
        )
    D = distribution(sampling, alts)
    rng = np.random.default_rng(seed)
    who = population.draw_voters(n, rng)
    names = np.asarray(alts, dtype=object)
    columns = {"chosen": [], "rejected": [], "voter": []}
    for _ in range(2):
        a, b = sample_pairs(D, n, rng)
        a_wins, voters = population.draw_labels(a, b, rng.random(n), rng, voters=who)
        columns["chosen"].append(names[np.where(a_wins, a, b)])
        columns["rejected"].append(names[np.where(a_wins, b, a)])
        columns["voter"].append(voters)
    table = pd.DataFrame({key: np.stack(parts, axis=1).reshape(-1) for key, parts in columns.items()})
    table["annotator"] = np.repeat(np.arange(1, n + 1), 2)
    return PairwiseData(table, alternatives=alts)
