"""What every claim shares: the :class:`Claim` base class and the kinds registry (:data:`KINDS`),
the field checkers, the NUMBER comparators (:class:`NumberClaim`), the words a sentence is made of,
and the :class:`Variant` of the scenario a claim is evaluated in (with its memo).

A claim kind is one subclass that sets ``kind`` and ``schema`` (its fields, each with its checker)
and writes :meth:`Claim.render` (the sentence a reader sees) and :meth:`Claim.observe` (what the
core says); defining the class registers it. Rule ids, their words mid-sentence and whether a
rule's output is a distribution come from the rule registry (:data:`aggregation.RULES`); winners,
ties and supports from :mod:`aggregation.outcome`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar

import numpy as np
import pandas as pd

from aggregation import RULES, AggregationError, RuleParams, RuleResult, parse_ranking
from aggregation.rules.rule import REWARDS
from aggregation.validate import distribution

#: Default absolute tolerance of ``equals`` on numbers.
DEFAULT_TOLERANCE = 1e-6
#: The ways a claim states a number (NUMBER): ``equals`` (with ``tolerance``), bounds, strict bounds.
COMPARATORS = ("equals", "at_least", "at_most", "above", "below")
#: The optional fields that evaluate a claim in a variant of the scenario (see :class:`Variant`).
MODIFIERS = ("restrict_to", "temperature", "sampling", "beta", "k")

#: Every claim kind, by its ``kind`` word, in the order the kinds were defined.
KINDS: dict[str, type[Claim]] = {}


def is_distribution(rule_id: str) -> bool:
    """Whether the registry's rule outputs a probability distribution (a lottery or a policy)."""
    return RULES[rule_id].is_distribution


#: The rules a ``policy`` field may name: the registry's lotteries and policies.
POLICIES = tuple(rule_id for rule_id in RULES if is_distribution(rule_id))


@dataclass(frozen=True)
class Context:
    """What a claim may refer to: the scenario's alternatives and population kind, whether the
    scenario fixes a sampling distribution, its ranked-choice alternatives (or None) and its k."""

    alternatives: tuple[str, ...]
    rewards: bool
    has_sampling: bool
    choice_alternatives: tuple[str, ...] | None
    k: int


@dataclass(frozen=True)
class ClaimResult:
    """A claim checked on its scenario: ``passed``; ``observed`` is the value found (a name, a
    list, a number, a bool) and ``observed_text`` shows it with context (or the core's message
    when the core refused the computation)."""

    text: str
    passed: bool
    observed: object
    observed_text: str
    claim: Claim = field(repr=False)


#: A field checker: ``check(value, where, names, ctx)`` returns the value to keep or raises an
#: :class:`AggregationError` naming ``where``; ``names`` are the alternatives the claim speaks of.
Check = Callable[[object, str, tuple, Context], object]


# ============================================================================ the base class
@dataclass(frozen=True)
class Claim:
    """One expected outcome of a scenario: ``kind``, its validated ``fields`` (as in the file,
    without ``kind``) and ``text``, the sentence a reader sees (:meth:`render`, made once).

    Build one from a file's table with :meth:`parse`; check it with :meth:`evaluate`. A subclass
    is one kind: it sets ``kind`` and ``schema`` (field -> checker; ``optional`` ones may be left
    out), ``variants = False`` when the scenario's variant fields do not apply, and writes
    :meth:`render` and :meth:`observe`."""

    fields: dict
    context: Context = field(compare=False, repr=False)
    text: str = field(init=False)

    kind: ClassVar[str] = ""
    schema: ClassVar[dict[str, Check]] = {}
    optional: ClassVar[tuple[str, ...]] = ()
    numeric: ClassVar[bool] = False
    variants: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:  # intermediate bases (NumberClaim) have none
            if cls.kind in KINDS:
                raise TypeError(
                    f"claim kind {cls.kind!r} is defined twice ({KINDS[cls.kind].__name__}, {cls.__name__})"
                )
            KINDS[cls.kind] = cls

    def __post_init__(self):
        object.__setattr__(self, "text", self.render())

    def __hash__(self) -> int:
        return hash((self.kind, self.text))

    # ------------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, data, where: str, ctx: Context) -> Claim:
        """The claim of ``data["kind"]`` from one claim table; errors name the field, e.g.
        ``claims[2].equals is missing``."""
        if not isinstance(data, Mapping):
            raise AggregationError(f"{where} must be a table with a 'kind' field")
        kind = data.get("kind")
        if kind is None:
            raise AggregationError(f"{where}.kind is missing (one of: {', '.join(KINDS)})")
        if kind not in KINDS:
            raise AggregationError(f"{where}.kind: unknown claim kind {kind!r} (known: {', '.join(KINDS)})")
        kind_cls = KINDS[kind]
        return kind_cls(kind_cls.check_fields(data, where, ctx), ctx)

    @classmethod
    def allowed_fields(cls) -> set[str]:
        """Every field this kind accepts (besides ``kind``)."""
        return set(cls.schema) | (set(MODIFIERS) if cls.variants else set())

    @classmethod
    def check_fields(cls, data: Mapping, where: str, ctx: Context) -> dict:
        """This kind's fields of ``data``, validated (``where`` names the claim in messages)."""
        allowed = cls.allowed_fields()
        unknown = [key for key in data if key != "kind" and key not in allowed]
        if unknown:
            raise AggregationError(
                f"{where}.{unknown[0]}: unknown field for a {cls.kind!r} claim (fields: {', '.join(sorted(allowed))})"
            )
        names = _variant_names(data, where, ctx) if cls.variants else ctx.alternatives
        fields = {}
        for key, check in cls.schema.items():
            if key not in data:
                if key in cls.optional:
                    continue
                raise AggregationError(f"{where}.{key} is missing")
            fields[key] = check(data[key], f"{where}.{key}", names, ctx)
        fields.update(cls.check_expectation(data, where))
        if cls.variants:
            fields.update(_modifiers(data, where, names, ctx))
        for rule_key in ("rule", "policy"):
            rule = fields.get(rule_key)
            if isinstance(rule, str) and RULES[rule].needs == REWARDS and not ctx.rewards:
                raise AggregationError(
                    f"{where}.{rule_key}: {rule!r} needs user types with rewards, and this population is rankings"
                )
        return fields

    @classmethod
    def check_expectation(cls, data: Mapping, where: str) -> dict:
        """The fields stating the expected number (none for a claim that names its answer)."""
        return {}

    # ------------------------------------------------------------------------ words
    def render(self) -> str:
        """The sentence a reader sees, e.g. "Borda winner is R"."""
        raise NotImplementedError

    def to_dict(self) -> dict:
        """The claim as the table written in a scenario file."""
        return {"kind": self.kind, **self.fields}

    @property
    def k(self) -> int:
        """The number of test-time samples this claim speaks of (its own ``k`` or the scenario's)."""
        return self.fields.get("k", self.context.k)

    def label(self, rule, *, k_in_sentence: bool = False) -> str:
        """A rule mid-sentence, by the registry ("the maximal lottery (NLHF)", "MPNE_4"), or an
        explicit distribution ("the policy {y1: 1, y2: 0}"). A rule with a k carries it unless the
        sentence already says k (``k_in_sentence``, as the test-time claims do)."""
        if isinstance(rule, Mapping):
            return "the policy " + "{" + ", ".join(f"{a}: {fmt(p)}" for a, p in rule.items()) + "}"
        return RULES[rule].mid_sentence(self.k, k_in_sentence=k_in_sentence)

    def suffix(self) -> str:
        """The variant in words: " without G at annotator temperature 2 under D = (...) with beta = 0.5"."""
        f, out = self.fields, ""
        if "restrict_to" in f:
            removed = [a for a in self.context.alternatives if a not in f["restrict_to"]]
            out += " without " + ", ".join(removed) if removed else ""
        if "temperature" in f:
            out += f" at annotator temperature {fmt(f['temperature'])}"
        if "sampling" in f:
            out += " under D = (" + ", ".join(f"{a} {fmt(p)}" for a, p in f["sampling"].items()) + ")"
        if "beta" in f:
            out += f" with beta = {fmt(f['beta'])}"
        return out

    # ------------------------------------------------------------------------ evaluation
    def accepts(self, value: float) -> bool:
        """Whether a number satisfies this claim's expectation (claims that state a number only)."""
        raise AggregationError(f"a {self.kind!r} claim does not state a number")

    def observe(self, v: Variant) -> tuple[object, str, bool]:
        """What the core says in the variant ``v``: ``(observed, observed_text, passed)``; an
        :class:`AggregationError` when the core refuses the computation."""
        raise NotImplementedError

    def evaluate(self, v: Variant) -> ClaimResult:
        """The claim checked in ``v``; a computation the core refuses fails this claim alone, with
        the core's message."""
        try:
            observed, shown, passed = self.observe(v)
        except AggregationError as exc:
            return self.refused(exc)
        return ClaimResult(self.text, bool(passed), observed, shown, self)

    def refused(self, exc: AggregationError) -> ClaimResult:
        """The result of a claim the core could not evaluate: failed, with the core's message."""
        return ClaimResult(self.text, False, None, f"could not be evaluated: {exc}", self)


class NumberClaim(Claim):
    """A claim that states a number with one or more of :data:`COMPARATORS` (NUMBER): ``equals``
    (within ``tolerance``, default :data:`DEFAULT_TOLERANCE`), ``at_least``, ``at_most``, ``above``,
    ``below`` (strictly); a number may be written as a fraction, ``"5/9"``."""

    numeric = True

    @classmethod
    def allowed_fields(cls) -> set[str]:
        return super().allowed_fields() | {"tolerance", *COMPARATORS}

    @classmethod
    def check_expectation(cls, data: Mapping, where: str) -> dict:
        given = [c for c in COMPARATORS if c in data]
        if not given:
            raise AggregationError(f"{where}: give the expected value with one of {', '.join(COMPARATORS)}")
        out = {}
        for c in given:
            number(data[c], f"{where}.{c}")
            out[c] = data[c]
        if "tolerance" in data:
            if "equals" not in data:
                raise AggregationError(f"{where}.tolerance only goes with equals")
            if number(data["tolerance"], f"{where}.tolerance") < 0:
                raise AggregationError(f"{where}.tolerance must be >= 0")
            out["tolerance"] = data["tolerance"]
        return out

    def expected(self) -> str:
        """The expectation in words: "7", "0.47 ± 0.005", "between 1/3 and 1/3", "below 0.61"."""
        f, parts = self.fields, []
        if "equals" in f:
            tol = f.get("tolerance")
            parts.append(fmt(f["equals"]) + (f" ± {fmt(tol)}" if tol is not None else ""))
        if "at_least" in f and "at_most" in f:
            parts.append(f"between {fmt(f['at_least'])} and {fmt(f['at_most'])}")
        else:
            parts += [f"at least {fmt(f['at_least'])}"] if "at_least" in f else []
            parts += [f"at most {fmt(f['at_most'])}"] if "at_most" in f else []
        parts += [f"above {fmt(f['above'])}"] if "above" in f else []
        parts += [f"below {fmt(f['below'])}"] if "below" in f else []
        return " and ".join(parts)

    def accepts(self, value: float) -> bool:
        """Whether ``value`` satisfies every comparator given (bounds with 1e-12 of slack)."""
        f, x, ok = self.fields, float(value), True
        if "equals" in f:
            tol = number(f["tolerance"], "tolerance") if "tolerance" in f else DEFAULT_TOLERANCE
            ok &= abs(x - number(f["equals"], "equals")) <= tol
        if "at_least" in f:
            ok &= x >= number(f["at_least"], "at_least") - 1e-12
        if "at_most" in f:
            ok &= x <= number(f["at_most"], "at_most") + 1e-12
        if "above" in f:
            ok &= x > number(f["above"], "above")
        if "below" in f:
            ok &= x < number(f["below"], "below")
        return bool(ok)


# ============================================================================ the variant
@dataclass
class Variant:
    """The scenario as one claim sees it (after ``restrict_to`` / ``temperature``; with the claim's
    ``sampling``, ``beta`` and ``k`` or the scenario's), with a memo of the rules computed in it.
    ``choice`` is the scenario's ranked-choice setup (or None)."""

    population: object
    sampling: pd.Series | None
    beta: float
    k: int
    choice: object = None
    memo: dict = field(default_factory=dict)

    @classmethod
    def of(cls, claim: Claim, scenario, variants: dict) -> Variant:
        """The variant ``claim`` is evaluated in, made once per scenario and key in ``variants``."""
        f = claim.fields
        sampling = f.get("sampling")
        key = (
            tuple(f.get("restrict_to", ())),
            f.get("temperature"),
            None if sampling is None else tuple(sampling.items()),
            f.get("beta"),
            f.get("k"),
        )
        if key not in variants:
            population = scenario.population
            if "restrict_to" in f:
                population = population.restrict(f["restrict_to"])
            if "temperature" in f:
                population = population.with_temperature(number(f["temperature"], "temperature"))
            if sampling is not None:
                D = distribution({a: number(p, "sampling") for a, p in sampling.items()}, population.alternatives)
            else:
                D = None if "restrict_to" in f else scenario.sampling
            beta = number(f["beta"], "beta") if "beta" in f else scenario.beta
            variants[key] = cls(population, D, beta, f.get("k", scenario.k), scenario.choice)
        return variants[key]

    def result(self, rule: str) -> RuleResult:
        """The registry rule's typed result in this variant, computed once."""
        if rule not in self.memo:
            self.memo[rule] = RULES[rule].compute(
                self.population, RuleParams(beta=self.beta, sampling=self.sampling, k=self.k)
            )
        return self.memo[rule]

    def values(self, rule) -> pd.Series:
        """A rule's values (by id) or an explicit distribution (a table), over the alternatives."""
        if isinstance(rule, Mapping):
            return distribution(
                {a: number(p, "policy") for a, p in rule.items()}, self.population.alternatives, what="policy"
            )
        return self.result(rule).values


def evaluate_claims(scenario) -> list[ClaimResult]:
    """Check every claim of ``scenario`` (see :func:`presets.evaluate`), each variant made once."""
    variants: dict = {}
    results = []
    for claim in scenario.claims:
        try:
            v = Variant.of(claim, scenario, variants)
        except AggregationError as exc:  # e.g. the variant's sampling misses an alternative
            results.append(claim.refused(exc))
            continue
        results.append(claim.evaluate(v))
    return results


# ============================================================================ field checkers
def check_rule(value, where, names, ctx):
    """A rule of the registry, by id."""
    if not isinstance(value, str) or value not in RULES:
        raise AggregationError(f"{where}: unknown rule {value!r} (known: {', '.join(RULES)})")
    return value


def check_policy(value, where, names, ctx):
    """A lottery or policy of the registry, by id, or a distribution written out (``{ A = 1 }``)."""
    if isinstance(value, Mapping):
        return check_distribution(value, where, names)
    if not isinstance(value, str) or value not in POLICIES:
        raise AggregationError(
            f"{where}: unknown policy {value!r} (known: {', '.join(POLICIES)}, "
            "or a distribution such as {{ A = 1 }})"
        )
    return value


def check_name(value, where, names, ctx):
    """One of the alternatives the claim speaks of."""
    if not isinstance(value, str) or value not in names:
        raise AggregationError(f"{where}: unknown alternative {value!r} (known: {', '.join(names)})")
    return value


def check_name_or_none(value, where, names, ctx):
    """An alternative, or ``"none"``."""
    return value if value == "none" else check_name(value, where, names, ctx)


def check_names(value, where, names, ctx):
    """A non-empty list of distinct alternatives."""
    if not isinstance(value, list) or not value:
        raise AggregationError(f"{where} must be a list of alternative names")
    for i, v in enumerate(value):
        check_name(v, f"{where}[{i}]", names, ctx)
    if len(set(value)) != len(value):
        raise AggregationError(f"{where} lists an alternative twice")
    return list(value)


def check_ranking(value, where, names, ctx):
    """A ranking of every alternative, ties with ``=``: ``"R > B = G"``."""
    if not isinstance(value, str):
        raise AggregationError(f"{where} must be a ranking such as \"R > B = G\"")
    try:
        groups = parse_ranking(value)
    except AggregationError as exc:
        raise AggregationError(f"{where}: {exc}") from None
    listed = [a for g in groups for a in g]
    for a in listed:
        check_name(a, where, names, ctx)
    if sorted(listed) != sorted(names):
        missing = [a for a in names if a not in listed]
        raise AggregationError(
            f"{where} must rank every alternative exactly once" + (f"; {missing[0]!r} is missing" if missing else "")
        )
    return value


def check_boolean(value, where, names, ctx):
    """``true`` or ``false``."""
    if not isinstance(value, bool):
        raise AggregationError(f"{where} must be true or false, got {value!r}")
    return value


def check_whole(value, where, names, ctx):
    """A whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AggregationError(f"{where} must be a whole number >= 1, got {value!r}")
    return value


def check_distribution(value, where: str, names) -> dict:
    """A table of probabilities over ``names`` (numbers or fractions), as written."""
    if not isinstance(value, Mapping):
        raise AggregationError(f"{where} must be a table of probabilities, e.g. {{ A = 0.5, B = 0.5 }}")
    for key, p in value.items():
        number(p, f"{where}.{key}")
    distribution({k: number(v, where) for k, v in value.items()}, list(names), what=where)
    return dict(value)


_FRACTION = re.compile(r"^\s*(-?\d+)\s*/\s*(\d+)\s*$")


def number(value, where: str) -> float:
    """A number, or a fraction written as a string such as ``"5/9"``."""
    if isinstance(value, bool):
        raise AggregationError(f"{where} must be a number, got {value!r}")
    if isinstance(value, (int, float)):
        if not np.isfinite(value):
            raise AggregationError(f"{where} must be a finite number, got {value!r}")
        return float(value)
    if isinstance(value, str) and (m := _FRACTION.match(value)) and int(m.group(2)) != 0:
        return float(Fraction(int(m.group(1)), int(m.group(2))))
    raise AggregationError(f"{where} must be a number or a fraction such as \"5/9\", got {value!r}")


def _variant_names(data, where: str, ctx: Context) -> tuple[str, ...]:
    """The alternatives a claim speaks of: its ``restrict_to`` (validated) or the scenario's."""
    if "restrict_to" not in data:
        return ctx.alternatives
    keep = data["restrict_to"]
    if not isinstance(keep, list) or not keep or not all(isinstance(a, str) for a in keep):
        raise AggregationError(f"{where}.restrict_to must be a list of alternative names")
    for a in keep:
        if a not in ctx.alternatives:
            raise AggregationError(
                f"{where}.restrict_to: unknown alternative {a!r} (known: {', '.join(ctx.alternatives)})"
            )
    if len(set(keep)) != len(keep):
        raise AggregationError(f"{where}.restrict_to lists an alternative twice")
    return tuple(keep)


def _modifiers(data, where: str, names, ctx: Context) -> dict:
    """The variant fields (:data:`MODIFIERS`) of ``data``, validated."""
    out = {}
    if "restrict_to" in data:
        out["restrict_to"] = list(data["restrict_to"])
        if ctx.has_sampling and "sampling" not in data:
            raise AggregationError(f"{where}.restrict_to changes the alternatives: give this claim its own sampling")
    if "temperature" in data:
        if not ctx.rewards:
            raise AggregationError(f"{where}.temperature applies to user types with rewards only")
        if number(data["temperature"], f"{where}.temperature") <= 0:
            raise AggregationError(f"{where}.temperature must be positive")
        out["temperature"] = data["temperature"]
    if "sampling" in data:
        out["sampling"] = check_distribution(data["sampling"], f"{where}.sampling", names)
    if "beta" in data:
        if number(data["beta"], f"{where}.beta") <= 0:
            raise AggregationError(f"{where}.beta must be positive")
        out["beta"] = data["beta"]
    if "k" in data:
        out["k"] = check_whole(data["k"], f"{where}.k", names, ctx)
    return out


# ============================================================================ words
def fmt(x) -> str:
    """A number in six significant digits (text as it is: a fraction such as "5/9" stays)."""
    if isinstance(x, str):
        return x
    return format(float(x), ".6g")


def sentence(text: str) -> str:
    """``text`` with a capital first letter."""
    return text[:1].upper() + text[1:]


def show(values: pd.Series) -> str:
    """Values best first: "R 7, B 6, G 2"."""
    return ", ".join(f"{a} {fmt(s)}" for a, s in values.sort_values(ascending=False, kind="stable").items())
