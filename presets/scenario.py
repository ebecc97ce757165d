"""What a scenario is: a population, the settings that matter for it, a story, and its claims."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from aggregation import AggregationError, Population, papers
from aggregation.validate import distribution

#: Dashboard pages a scenario can open on (see DESIGN.md, "Pages").
PAGES = ("rules", "sampling", "testtime", "properties", "ranked-choice")


@dataclass(frozen=True)
class Source:
    """Where the example comes from: ``paper``, a key of the one papers table
    (:data:`aggregation.papers.PAPERS`; "" for a user's own scenario), and ``section`` (free text:
    "Figure 1 and section 3.1"). The paper's authors, title and link come from the table."""

    paper: str
    section: str

    def __post_init__(self):
        if self.paper:
            papers.paper(self.paper)  # an unknown key is refused, naming the known ones

    @property
    def entry(self) -> papers.Paper | None:
        return papers.PAPERS[self.paper] if self.paper else None

    @property
    def url(self) -> str:
        return self.entry.url if self.entry else ""

    def __str__(self) -> str:
        parts = ", ".join(p for p in (str(self.entry) if self.entry else "", self.section) if p)
        return f"{parts} ({self.url})" if self.url else parts


@dataclass(frozen=True)
class ChoiceSetup:
    """Parameters of the ranked-choice models (RCPO paper, Tang & Feng, arXiv 2510.23631).

    ``utilities``: MNL utilities (choice probability proportional to ``exp(utility)``);
    ``central_ranking``: Mallows-RMJ central ranking (best first); ``phi``: its dispersion in
    (0, 1]; ``assortment``: the responses shown (default: all).
    """

    utilities: pd.Series
    central_ranking: tuple[str, ...]
    phi: float
    assortment: tuple[str, ...]


@dataclass(frozen=True)
class GeneratorSpec:
    """How a generated population was drawn (``aggregation.generate(name, **params)``),
    kept so that a scenario file stays small; ``fingerprint`` ties it to the population it made."""

    name: str
    params: Mapping
    fingerprint: str


@dataclass(frozen=True, eq=False)
class Scenario:
    """One failure case (or a user's own population) with everything needed to show and check it.

    ``population`` is a :class:`~aggregation.Profile` or :class:`~aggregation.RewardPopulation`;
    ``sampling`` the sampling distribution D of RLHF/DPO (a Series, ``None`` = uniform); ``beta``
    the KL strength of the RLHF/DPO-limit and average-reward policies; ``k`` the number of test-time
    samples; ``page`` the dashboard page that shows it best (one of :data:`PAGES`); ``claims`` the
    machine-checkable expected outcomes (see :mod:`presets.claims`). ``constructed`` says whether
    the numbers were made up to exhibit an effect (``note`` says how) rather than copied from the
    source. Equality compares the content (population by fingerprint).
    """

    id: str
    title: str
    summary: str
    narrative: str
    property: str
    source: Source
    constructed: bool
    note: str
    population: object
    sampling: pd.Series | None = None
    beta: float = 1.0
    k: int = 4
    page: str = "rules"
    claims: tuple = ()
    choice: ChoiceSetup | None = None
    generator: GeneratorSpec | None = field(default=None, repr=False)

    def __post_init__(self):
        if not (isinstance(self.population, Population) and self.population.has_full_rankings):
            raise AggregationError(
                f"scenario {self.id!r}: the population must be a Profile or a RewardPopulation, "
                f"got {type(self.population).__name__}"
            )
        if self.page not in PAGES:
            raise AggregationError(f"scenario {self.id!r}: page must be one of {', '.join(PAGES)}, got {self.page!r}")
        if self.sampling is not None:
            object.__setattr__(self, "sampling", distribution(self.sampling, self.population.alternatives))
        if isinstance(self.beta, bool) or not isinstance(self.beta, (int, float)) or not self.beta > 0:
            raise AggregationError(f"scenario {self.id!r}: beta must be a positive number, got {self.beta!r}")
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise AggregationError(f"scenario {self.id!r}: k must be a whole number >= 1, got {self.k!r}")
        object.__setattr__(self, "beta", float(self.beta))
        object.__setattr__(self, "claims", tuple(self.claims))

    @property
    def alternatives(self) -> list[str]:
        return self.population.alternatives

    @property
    def fingerprint(self) -> str:
        """A digest of everything that decides a number on screen (a cache key)."""
        content = {
            "population": self.population.fingerprint,
            "sampling": None if self.sampling is None else [float(x) for x in self.sampling],
            "beta": self.beta,
            "k": self.k,
            "choice": None if self.choice is None else _choice_key(self.choice),
            "claims": [c.text for c in self.claims],
        }
        return "scenario:" + hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def __eq__(self, other) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        mine = (
            self.id,
            self.title,
            self.summary,
            self.narrative,
            self.property,
            self.source,
            self.constructed,
            self.note,
            self.page,
            tuple(c.fields for c in self.claims),
        )
        theirs = (
            other.id,
            other.title,
            other.summary,
            other.narrative,
            other.property,
            other.source,
            other.constructed,
            other.note,
            other.page,
            tuple(c.fields for c in other.claims),
        )
        return mine == theirs and self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash((self.id, self.fingerprint))


def _choice_key(choice: ChoiceSetup) -> dict:
    return {
        "utilities": {str(k): float(v) for k, v in choice.utilities.items()},
        "central_ranking": list(choice.central_ranking),
        "phi": choice.phi,
        "assortment": list(choice.assortment),
    }
