"""Scenario files (TOML, read with the standard library's ``tomllib``) into :class:`Scenario`.

Every problem is reported as an :class:`AggregationError` whose message starts with the file
and names the field, e.g. ``presets/scenarios/jackpot_majority.toml: claims[2].equals is
missing``. Lists are numbered from 0, as in the core's messages (``population.rankings[0]``).
The file format is documented in ``presets/README.md``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping

import pandas as pd

from aggregation import RANKINGS, USER_TYPES, AggregationError, bounds, population_from_dict
from aggregation.formats import FILE_WORDS
from aggregation.papers import PAPERS
from aggregation.validate import MAX_K, distribution
from aggregation import generate

from .claims import Claim, Context
from .scenario import PAGES, ChoiceSetup, GeneratorSpec, Scenario, Source

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TOP_LEVEL = {
    "id",
    "title",
    "summary",
    "narrative",
    "property",
    "page",
    "constructed",
    "note",
    "source",
    "settings",
    "population",
    "choice",
    "claims",
}
#: The population kinds a scenario file holds, in the files' own words (voters whose orders are known).
SCENARIO_KINDS = (FILE_WORDS[RANKINGS], FILE_WORDS[USER_TYPES])
#: Largest scenario text accepted by :func:`read_scenario` (an upload, say): the core's text limit.
MAX_CHARS = bounds.MAX_TEXT_CHARS


def read_scenario(text: str, where: str) -> Scenario:
    """Parse scenario text; ``where`` names it in messages (a path, or "uploaded scenario"). The text's
    size, its lines and the populations it describes are bounded by :mod:`aggregation.bounds`."""
    if not isinstance(text, str):
        raise AggregationError(f"{where}: a scenario must be text (TOML), got {type(text).__name__}")
    text = bounds.text(text, where)  # size, lines, no lone surrogates; a byte-order mark removed
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AggregationError(f"{where}: not a valid TOML file: {exc}") from None
    except RecursionError:
        raise AggregationError(f"{where}: not a valid TOML file: it is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise AggregationError(f"{where}: not a valid TOML file: {str(exc)[:100]}") from None
    try:
        return scenario_from_dict(data)
    except AggregationError as exc:
        raise AggregationError(f"{where}: {exc}") from None


def scenario_from_dict(data: Mapping) -> Scenario:
    """Build a scenario from the parsed file; errors name the field (without the file)."""
    unknown = [key for key in data if key not in TOP_LEVEL]
    if unknown:
        raise AggregationError(f"{unknown[0]}: unknown field (fields: {', '.join(sorted(TOP_LEVEL))})")
    scenario_id = _text(data, "id", "")
    if not ID_PATTERN.match(scenario_id):
        raise AggregationError(f"id must be lower-case letters, digits, '_' or '-', got {scenario_id!r}")
    source = _source(_table(data, "source", ""))
    page = _text(data, "page", "")
    if page not in PAGES:
        raise AggregationError(f"page must be one of {', '.join(PAGES)}, got {page!r}")
    constructed = data.get("constructed")
    if "constructed" not in data:
        raise AggregationError("constructed is missing")
    if not isinstance(constructed, bool):
        raise AggregationError(f"constructed must be true or false, got {constructed!r}")

    population, generator = _population(_table(data, "population", ""))
    settings = data.get("settings", {})
    if not isinstance(settings, Mapping):
        raise AggregationError("settings must be a table")
    _only(settings, {"beta", "k", "sampling"}, "settings")
    sampling = None
    if "sampling" in settings:
        sampling = _distribution(settings["sampling"], "settings.sampling", population.alternatives)
    beta = settings.get("beta", 1.0)
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not 0 < beta < math.inf:
        raise AggregationError(f"settings.beta must be a positive number, got {beta!r}")
    k = settings.get("k", 4)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise AggregationError(f"settings.k must be a whole number >= 1, got {k!r}")
    if k > MAX_K:
        raise AggregationError(f"settings.k must be at most {MAX_K}, got {k!r}")
    choice = _choice(data["choice"], population) if "choice" in data else None

    claims_data = data.get("claims", [])
    if not isinstance(claims_data, list):
        raise AggregationError("claims must be a list of tables ([[claims]])")
    ctx = Context(
        alternatives=tuple(population.alternatives),
        rewards=population.has_rewards,
        has_sampling=sampling is not None,
        choice_alternatives=None if choice is None else tuple(choice.utilities.index),
        k=k,
    )
    claims = tuple(Claim.parse(c, f"claims[{i}]", ctx) for i, c in enumerate(claims_data))
    return Scenario(
        id=scenario_id,
        title=_text(data, "title", ""),
        summary=_text(data, "summary", ""),
        narrative=_text(data, "narrative", ""),
        property=_text(data, "property", ""),
        source=source,
        constructed=constructed,
        note=_text(data, "note", ""),
        population=population,
        sampling=sampling,
        beta=float(beta),
        k=k,
        page=page,
        claims=claims,
        choice=choice,
        generator=generator,
    )


def _population(d: Mapping):
    """A population table: ``kind = "rankings"`` or ``"rewards"`` (user types; the core's
    :func:`~aggregation.population_from_dict` format), or ``"generated"`` (``generator``, the
    generator's name, plus its parameters, see :mod:`aggregation.populations.generators`; a parameter may
    itself be called ``model``, as in ``reward_mixture``)."""
    if d.get("kind") == "generated":
        params = {key: value for key, value in d.items() if key not in ("kind", "generator")}
        name = d.get("generator")
        if not isinstance(name, str):
            raise AggregationError("population.generator is missing (the generator's name, e.g. \"impartial_culture\")")
        try:
            population = generate(name, **params)
        except AggregationError as exc:
            raise AggregationError(f"population: {exc}") from None
        spec = GeneratorSpec(name, dict(params), population.fingerprint)
        return population, spec
    if d.get("kind") not in SCENARIO_KINDS:
        raise AggregationError(f"population.kind must be 'rankings', 'rewards' or 'generated', got {d.get('kind')!r}")
    if d["kind"] == FILE_WORDS[RANKINGS]:
        _only(d, {"kind", "alternatives", "text", "rankings"}, "population")
    else:
        _only(d, {"kind", "alternatives", "temperature", "types"}, "population")
        for i, t in enumerate(d.get("types", [])):
            if isinstance(t, Mapping):
                _only(t, {"name", "weight", "rewards"}, f"population.types[{i}]")
    try:
        population = population_from_dict(dict(d), where="population")
    except AggregationError as exc:
        if exc.line is not None:  # a line of the population.text block
            raise AggregationError(f"population.text, {exc}") from None
        raise
    return population, None


def _source(d: Mapping) -> Source:
    """``paper`` (a key of ``aggregation.papers.PAPERS``, or "" for a user's own scenario) and
    ``section``. A ``url`` written by older files is accepted when it is empty or the paper's own link
    (the link now comes from the papers table)."""
    _only(d, {"paper", "section", "url"}, "source")
    key = _text(d, "paper", "source.")
    if key and key not in PAPERS:
        raise AggregationError(f"source.paper: unknown paper {key!r}; name it by its key (known: {', '.join(PAPERS)})")
    source = Source(key, _text(d, "section", "source."))
    if "url" in d and d["url"] not in ("", source.url):
        raise AggregationError(
            f"source.url: the link comes from the papers table ({source.url or 'none'}); leave url out"
        )
    return source


def _choice(d, population) -> ChoiceSetup:
    if not isinstance(d, Mapping):
        raise AggregationError("choice must be a table")
    _only(d, {"utilities", "central_ranking", "phi", "assortment"}, "choice")
    names = population.alternatives
    if "utilities" in d:
        utilities = _numbers(d["utilities"], "choice.utilities", names)
    elif population.kind == USER_TYPES and len(population.types) == 1:
        utilities = population.rewards.iloc[0] / population.temperature
    else:
        raise AggregationError(
            "choice.utilities is missing (it may be left out only for a single user type, "
            "whose rewards / temperature are the utilities)"
        )
    utilities = pd.Series(utilities, index=names, name="utility", dtype=float)
    if "central_ranking" in d:
        ranking = d["central_ranking"]
        if (
            not isinstance(ranking, list)
            or not all(isinstance(a, str) for a in ranking)
            or sorted(ranking) != sorted(names)
        ):
            raise AggregationError(
                f"choice.central_ranking must list every alternative once, best first ({', '.join(names)})"
            )
        central = tuple(ranking)
    else:
        if utilities.duplicated().any():
            raise AggregationError("choice.central_ranking is missing and the utilities have ties to break")
        central = tuple(utilities.sort_values(ascending=False, kind="stable").index)
    phi = d.get("phi")
    if "phi" not in d:
        raise AggregationError("choice.phi is missing (the Mallows-RMJ dispersion, in (0, 1])")
    if isinstance(phi, bool) or not isinstance(phi, (int, float)) or not 0 < phi <= 1:
        raise AggregationError(f"choice.phi must be a number in (0, 1], got {phi!r}")
    assortment = d.get("assortment", list(names))
    if (
        not isinstance(assortment, list)
        or not assortment
        or any(not isinstance(a, str) or a not in names for a in assortment)
        or len(set(assortment)) != len(assortment)
    ):
        raise AggregationError(f"choice.assortment must be a list of distinct alternatives ({', '.join(names)})")
    return ChoiceSetup(utilities, central, float(phi), tuple(assortment))


# ----------------------------------------------------------------------------- helpers
def _text(d: Mapping, key: str, prefix: str) -> str:
    if key not in d:
        raise AggregationError(f"{prefix}{key} is missing")
    value = d[key]
    if not isinstance(value, str):
        raise AggregationError(f"{prefix}{key} must be text, got {value!r}")
    return value


def _table(d: Mapping, key: str, prefix: str) -> Mapping:
    if key not in d:
        raise AggregationError(f"{prefix}{key} is missing")
    if not isinstance(d[key], Mapping):
        raise AggregationError(f"{prefix}{key} must be a table")
    return d[key]


def _only(d: Mapping, allowed: set, where: str) -> None:
    unknown = [key for key in d if key not in allowed]
    if unknown:
        raise AggregationError(f"{where}.{unknown[0]}: unknown field (fields: {', '.join(sorted(allowed))})")


def _numbers(d, where: str, names) -> dict:
    if not isinstance(d, Mapping):
        raise AggregationError(f"{where} must be a table of numbers, one per alternative")
    for key, value in d.items():
        if key not in names:
            raise AggregationError(f"{where}.{key}: unknown alternative (known: {', '.join(names)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1e300 < value < 1e300:
            raise AggregationError(f"{where}.{key} must be a finite number, got {value!r}")
    missing = [a for a in names if a not in d]
    if missing:
        raise AggregationError(f"{where}.{missing[0]} is missing")
    return {a: float(d[a]) for a in names}


def _distribution(d, where: str, names) -> pd.Series:
    return distribution(_numbers(d, where, names), names, what=where)
