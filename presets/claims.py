"""Claims: machine-checkable statements of a scenario's expected outcome, written as data.

A claim is a TOML table with a ``kind`` and the fields that kind needs, e.g.::

    [[claims]]
    kind = "winner"          # "Borda winner is R"
    rule = "borda"
    equals = "R"

Every claim is evaluated through the public core API (``from aggregation import ...``), and has a
human-readable rendering (:attr:`Claim.text`). The vocabulary is closed:

============================  =====================================================  ==========================
kind                          says                                                   fields
============================  =====================================================  ==========================
``winner``                    the rule's unique top alternative (or ``"none"``)      rule, equals
``ranking``                   the rule's whole order, ties with ``=``                rule, equals ("R > B = G")
``order``                     the rule puts one alternative strictly above another   rule, higher, lower
``score``                     a rule's score of one alternative                      rule, alternative, NUMBER
``probability``               a policy's probability of one alternative              policy, alternative, NUMBER
``support_size``              how many alternatives a policy uses (p > 1e-9)         policy, NUMBER
``condorcet_winner``          the Condorcet winner (or ``"none"``)                   equals
``majority_winner``           the alternative a majority ranks first (or ``"none"``) equals
``smith_set``                 the Smith set                                          equals (list)
``smith_set_size``            the size of the Smith set                              NUMBER
``maximal_lottery_unique``    whether the maximal lottery is unique                  equals (true/false)
``kwin_rate``                 k-sample win rate of a policy against one response     policy, opponent, NUMBER
``robust_rate``               min over opponents of the k-sample win rate            policy, NUMBER
``choice_probability``        MNL or Mallows-RMJ probability of a top list           model, top, NUMBER
``bt_misfit``                 largest |P[a, b] - sigmoid(r_a - r_b)| of the best     NUMBER
                              single Bradley-Terry model (``aggregation.bt_misfit``)
``cycle_product``             P[a, b] P[b, c] P[c, a] for ``cycle = [a, b, c]``      cycle, NUMBER
============================  =====================================================  ==========================

NUMBER is one or more of ``equals`` (with ``tolerance``, default 1e-6), ``at_least``,
``at_most``, ``above`` (strictly), ``below`` (strictly); a number may be written as a fraction
string such as ``"5/9"``. Rules (``rule``): every rule of the registry, by its id
(``aggregation.RULES``: ``borda``, ``plurality``, ``copeland``, ``nbc`` under the sampling
distribution, ...). Policies (``policy``): the registry's rules whose output is a lottery or a
policy (``rlhf``, the RLHF/DPO-limit policy with beta and D; ``average_reward``, user types only;
``maximal_lottery``; ``random_dictatorship``; ``mpne``, MPNE_k; ``robust``, the best k-sample
guarantee; ``uniform``), or an explicit distribution such as ``{ y1 = 1, y2 = 0 }``. A rule's
words in a claim's sentence are its registry ``label``.

Optional on every kind but ``choice_probability``, a variant of the scenario to evaluate the claim
in: ``restrict_to`` (a list of alternatives: the same voters over fewer alternatives, for IIA),
``temperature`` (user types only), ``sampling`` (a distribution D), ``beta`` and ``k``.

When the core refuses a computation (an ``AggregationError``: say, a game too large to solve
exactly), the claim is reported as failed with the core's message, and the other claims are still
checked.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from aggregation import (RULES as REGISTRY, AggregationError, RuleParams, RuleResult, bt_misfit, condorcet_winner, kwin_rate,
                         majority_winner, mallows_rmj_topk_probability, mnl_topk_probability, parse_ranking,
                         preference_matrix, robust_rate, smith_set)
from aggregation.rules.registry import REWARDS
from aggregation.rules.result import LOTTERY, POLICY, SCORES
from aggregation.outcome import ranking_text, tie_groups, tie_tolerance, winners
from aggregation.outcome import support as outcome_support
from aggregation.validate import distribution

#: Default absolute tolerance of ``equals`` on numbers.
DEFAULT_TOLERANCE = 1e-6
# Ties (``winner``, ``ranking``, ``order``) and the support of a policy (``support_size``) are decided by
# aggregation.outcome, as on every page.

COMPARATORS = ("equals", "at_least", "at_most", "above", "below")
MODIFIERS = ("restrict_to", "temperature", "sampling", "beta", "k")


@dataclass(frozen=True)
class Claim:
    """One expected outcome: ``kind``, its validated ``fields`` (as in the file, without
    ``kind``) and ``text``, the sentence a reader sees."""

    kind: str
    fields: dict
    text: str

    def __hash__(self) -> int:
        return hash((self.kind, self.text))

    def to_dict(self) -> dict:
        """The claim as the table written in a scenario file."""
        return {"kind": self.kind, **self.fields}

    def accepts(self, value: float) -> bool:
        """Whether a number satisfies this claim's expectation (numeric kinds only)."""
        if not KINDS[self.kind].numeric:
            raise AggregationError(f"a {self.kind!r} claim does not state a number")
        return _check_number(self.fields, float(value))


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


# ============================================================================ rules and policies
@dataclass
class _Variant:
    """The scenario as one claim sees it (after ``restrict_to`` / ``temperature``), with a memo."""

    population: object
    sampling: pd.Series | None
    beta: float
    k: int
    memo: dict = field(default_factory=dict)


#: The rules a claim may name: every rule of the registry, by its id (labels, outputs and needs come from it).
RULES = REGISTRY
#: The rules that output a distribution (a lottery or a policy): what ``policy`` may name.
POLICIES = tuple(rule_id for rule_id, rule in RULES.items() if rule.output in (LOTTERY, POLICY))


# ============================================================================ parsing
@dataclass(frozen=True)
class Context:
    """What a claim may refer to: the scenario's alternatives and population kind, whether the
    scenario fixes a sampling distribution, its ranked-choice alternatives (or None) and its k."""

    alternatives: tuple[str, ...]
    rewards: bool
    has_sampling: bool
    choice_alternatives: tuple[str, ...] | None
    k: int


def parse_claim(data, where: str, ctx: Context) -> Claim:
    """Validate one claim table; errors name the field, e.g. ``claims[2].equals is missing``."""
    if not isinstance(data, Mapping):
        raise AggregationError(f"{where} must be a table with a 'kind' field")
    kind = data.get("kind")
    if kind is None:
        raise AggregationError(f"{where}.kind is missing (one of: {', '.join(KINDS)})")
    if kind not in KINDS:
        raise AggregationError(f"{where}.kind: unknown claim kind {kind!r} (known: {', '.join(KINDS)})")
    spec = KINDS[kind]
    allowed = set(spec.fields) | ({"tolerance", *COMPARATORS} if spec.numeric else set()) | \
        (set(MODIFIERS) if spec.modifiers else set()) | {"kind"}
    unknown = [key for key in data if key not in allowed]
    if unknown:
        raise AggregationError(f"{where}.{unknown[0]}: unknown field for a {kind!r} claim "
                               f"(fields: {', '.join(sorted(allowed - {'kind'}))})")
    names = _variant_names(data, where, ctx) if spec.modifiers else ctx.alternatives
    fields = {}
    for key, check in spec.fields.items():
        if key not in data:
            if key in spec.optional:
                continue
            raise AggregationError(f"{where}.{key} is missing")
        fields[key] = check(data[key], f"{where}.{key}", names, ctx)
    if spec.numeric:
        given = [c for c in COMPARATORS if c in data]
        if not given:
            raise AggregationError(f"{where}: give the expected value with one of {', '.join(COMPARATORS)}")
        for c in given:
            _number(data[c], f"{where}.{c}")
            fields[c] = data[c]
        if "tolerance" in data:
            if "equals" not in data:
                raise AggregationError(f"{where}.tolerance only goes with equals")
            if _number(data["tolerance"], f"{where}.tolerance") < 0:
                raise AggregationError(f"{where}.tolerance must be >= 0")
            fields["tolerance"] = data["tolerance"]
    if spec.modifiers:
        fields.update(_modifiers(data, where, names, ctx))
    for rule_key in ("rule", "policy"):
        rule = fields.get(rule_key)
        if isinstance(rule, str) and RULES[rule].needs == REWARDS and not ctx.rewards:
            raise AggregationError(f"{where}.{rule_key}: {rule!r} needs user types with rewards, "
                                   "and this population is rankings")
    return Claim(kind, fields, spec.render({"k": ctx.k, "_all": ctx.alternatives, **fields}))


def _variant_names(data, where: str, ctx: Context) -> tuple[str, ...]:
    if "restrict_to" not in data:
        return ctx.alternatives
    keep = data["restrict_to"]
    if not isinstance(keep, list) or not keep or not all(isinstance(a, str) for a in keep):
        raise AggregationError(f"{where}.restrict_to must be a list of alternative names")
    for a in keep:
        if a not in ctx.alternatives:
            raise AggregationError(f"{where}.restrict_to: unknown alternative {a!r} (known: {', '.join(ctx.alternatives)})")
    if len(set(keep)) != len(keep):
        raise AggregationError(f"{where}.restrict_to lists an alternative twice")
    return tuple(keep)


def _modifiers(data, where: str, names, ctx: Context) -> dict:
    out = {}
    if "restrict_to" in data:
        out["restrict_to"] = list(data["restrict_to"])
        if ctx.has_sampling and "sampling" not in data:
            raise AggregationError(f"{where}.restrict_to changes the alternatives: give this claim its own sampling")
    if "temperature" in data:
        if not ctx.rewards:
            raise AggregationError(f"{where}.temperature applies to user types with rewards only")
        if _number(data["temperature"], f"{where}.temperature") <= 0:
            raise AggregationError(f"{where}.temperature must be positive")
        out["temperature"] = data["temperature"]
    if "sampling" in data:
        out["sampling"] = _distribution(data["sampling"], f"{where}.sampling", names)
    if "beta" in data:
        if _number(data["beta"], f"{where}.beta") <= 0:
            raise AggregationError(f"{where}.beta must be positive")
        out["beta"] = data["beta"]
    if "k" in data:
        out["k"] = _whole(data["k"], f"{where}.k", names, ctx)
    return out


# ----------------------------------------------------------------------------- field checks
def _rule(value, where, names, ctx):
    if not isinstance(value, str) or value not in RULES:
        raise AggregationError(f"{where}: unknown rule {value!r} (known: {', '.join(RULES)})")
    return value


def _policy(value, where, names, ctx):
    if isinstance(value, Mapping):
        return _distribution(value, where, names)
    if not isinstance(value, str) or value not in POLICIES:
        raise AggregationError(f"{where}: unknown policy {value!r} (known: {', '.join(POLICIES)}, "
                               "or a distribution such as {{ A = 1 }})")
    return value


def _name(value, where, names, ctx):
    if not isinstance(value, str) or value not in names:
        raise AggregationError(f"{where}: unknown alternative {value!r} (known: {', '.join(names)})")
    return value


def _name_or_none(value, where, names, ctx):
    return value if value == "none" else _name(value, where, names, ctx)


def _names(value, where, names, ctx):
    if not isinstance(value, list) or not value:
        raise AggregationError(f"{where} must be a list of alternative names")
    for i, v in enumerate(value):
        _name(v, f"{where}[{i}]", names, ctx)
    if len(set(value)) != len(value):
        raise AggregationError(f"{where} lists an alternative twice")
    return list(value)


def _ranking(value, where, names, ctx):
    if not isinstance(value, str):
        raise AggregationError(f"{where} must be a ranking such as \"R > B = G\"")
    try:
        groups = parse_ranking(value)
    except AggregationError as exc:
        raise AggregationError(f"{where}: {exc}") from None
    listed = [a for g in groups for a in g]
    for a in listed:
        _name(a, where, names, ctx)
    if sorted(listed) != sorted(names):
        missing = [a for a in names if a not in listed]
        raise AggregationError(f"{where} must rank every alternative exactly once"
                               + (f"; {missing[0]!r} is missing" if missing else ""))
    return value


def _cycle(value, where, names, ctx):
    value = _names(value, where, names, ctx)
    if len(value) != 3:
        raise AggregationError(f"{where} must list three alternatives, e.g. [\"y1\", \"y2\", \"y3\"]")
    return value


def _boolean(value, where, names, ctx):
    if not isinstance(value, bool):
        raise AggregationError(f"{where} must be true or false, got {value!r}")
    return value


def _whole(value, where, names, ctx):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AggregationError(f"{where} must be a whole number >= 1, got {value!r}")
    return value


def _choice_model(value, where, names, ctx):
    if value not in ("mnl", "mallows_rmj"):
        raise AggregationError(f"{where} must be 'mnl' or 'mallows_rmj', got {value!r}")
    if ctx.choice_alternatives is None:
        raise AggregationError(f"{where}: a choice_probability claim needs the scenario's [choice] table")
    return value


def _choice_names(value, where, names, ctx):
    return _names(value, where, ctx.choice_alternatives or (), ctx)


def _distribution(value, where: str, names) -> dict:
    if not isinstance(value, Mapping):
        raise AggregationError(f"{where} must be a table of probabilities, e.g. {{ A = 0.5, B = 0.5 }}")
    for key, p in value.items():
        _number(p, f"{where}.{key}")
    distribution({k: _number(v, where) for k, v in value.items()}, list(names), what=where)
    return dict(value)


_FRACTION = re.compile(r"^\s*(-?\d+)\s*/\s*(\d+)\s*$")


def _number(value, where: str) -> float:
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


# ============================================================================ rendering
def _fmt(x) -> str:
    if isinstance(x, str):
        return x
    return format(float(x), ".6g")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label(rule, fields, testtime: bool = False) -> str:
    """The rule's label mid-sentence (from the registry); rules with a k carry it (in test-time claims
    the sentence already says k, so a label without a k does not repeat it)."""
    if isinstance(rule, Mapping):
        return "the policy " + "{" + ", ".join(f"{a}: {_fmt(p)}" for a, p in rule.items()) + "}"
    return RULES[rule].mid_sentence(fields["k"], k_in_sentence=testtime)


def _expected(fields) -> str:
    parts = []
    if "equals" in fields:
        tol = fields.get("tolerance")
        parts.append(_fmt(fields["equals"]) + (f" ± {_fmt(tol)}" if tol is not None else ""))
    if "at_least" in fields and "at_most" in fields:
        parts.append(f"between {_fmt(fields['at_least'])} and {_fmt(fields['at_most'])}")
    else:
        parts += [f"at least {_fmt(fields['at_least'])}"] if "at_least" in fields else []
        parts += [f"at most {_fmt(fields['at_most'])}"] if "at_most" in fields else []
    parts += [f"above {_fmt(fields['above'])}"] if "above" in fields else []
    parts += [f"below {_fmt(fields['below'])}"] if "below" in fields else []
    return " and ".join(parts)


def _variant_suffix(fields) -> str:
    out = ""
    if "restrict_to" in fields:
        removed = [a for a in fields.get("_all", ()) if a not in fields["restrict_to"]]
        out += " without " + ", ".join(removed) if removed else ""
    if "temperature" in fields:
        out += f" at annotator temperature {_fmt(fields['temperature'])}"
    if "sampling" in fields:
        out += " under D = (" + ", ".join(f"{a} {_fmt(p)}" for a, p in fields["sampling"].items()) + ")"
    if "beta" in fields:
        out += f" with beta = {_fmt(fields['beta'])}"
    return out


def _render_choice(f) -> str:
    model = "MNL" if f["model"] == "mnl" else "Mallows-RMJ"
    top = f["top"]
    what = f"the first choice is {top[0]}" if len(top) == 1 else "the top " + str(len(top)) + " are (" + ", ".join(top) + ")"
    among = " from {" + ", ".join(f["assortment"]) + "}" if "assortment" in f else ""
    return f"{model} probability that {what}{among} is {_expected(f)}"


def _render_winner(f):
    label, rule = _label(f["rule"], f), f["rule"]
    if f["equals"] == "none":
        body = f"{label} has no single winner (a tie at the top)"
    elif RULES[rule].output != SCORES:
        body = f"{label} gives {f['equals']} the highest probability"
    else:
        body = f"{label} winner is {f['equals']}"
    return _sentence(body) + _variant_suffix(f)


def _render_cycle(f) -> str:
    a, b, c = f["cycle"]
    return f"Cycle product P[{a}, {b}] P[{b}, {c}] P[{c}, {a}] is {_expected(f)}" + _variant_suffix(f)


def _render_kwin(f) -> str:
    return (f"{f['k']}-sample win rate of {_label(f['policy'], f, testtime=True)} against {f['opponent']}"
            + _variant_suffix(f) + f" is {_expected(f)}")


def _render_robust(f) -> str:
    return (_sentence(f"robust rate of {_label(f['policy'], f, testtime=True)} at k = {f['k']}")
            + _variant_suffix(f) + f" is {_expected(f)}")


@dataclass(frozen=True)
class _Kind:
    fields: dict
    render: Callable[[dict], str]
    numeric: bool = False
    modifiers: bool = True
    optional: tuple = ()


KINDS: dict[str, _Kind] = {
    "winner": _Kind({"rule": _rule, "equals": _name_or_none}, _render_winner),
    "ranking": _Kind({"rule": _rule, "equals": _ranking},
                     lambda f: _sentence(f"{_label(f['rule'], f)} ranks {f['equals']}") + _variant_suffix(f)),
    "order": _Kind({"rule": _rule, "higher": _name, "lower": _name},
                   lambda f: _sentence(f"{_label(f['rule'], f)} ranks {f['higher']} above {f['lower']}")
                   + _variant_suffix(f)),
    "score": _Kind({"rule": _rule, "alternative": _name},
                   lambda f: _sentence(f"{_label(f['rule'], f)} score of {f['alternative']}") + _variant_suffix(f)
                   + f" is {_expected(f)}", numeric=True),
    "probability": _Kind({"policy": _policy, "alternative": _name},
                         lambda f: _sentence(f"{_label(f['policy'], f)} puts probability {_expected(f)} "
                                             f"on {f['alternative']}") + _variant_suffix(f), numeric=True),
    "support_size": _Kind({"policy": _policy},
                          lambda f: _sentence(f"{_label(f['policy'], f)} uses {_expected(f)} alternatives")
                          + _variant_suffix(f), numeric=True),
    "condorcet_winner": _Kind({"equals": _name_or_none},
                              lambda f: ("There is no Condorcet winner" if f["equals"] == "none"
                                         else f"Condorcet winner is {f['equals']}") + _variant_suffix(f)),
    "majority_winner": _Kind({"equals": _name_or_none},
                             lambda f: ("No alternative is ranked first by a majority" if f["equals"] == "none"
                                        else f"Majority winner is {f['equals']}") + _variant_suffix(f)),
    "smith_set": _Kind({"equals": _names},
                       lambda f: "Smith set is {" + ", ".join(f["equals"]) + "}" + _variant_suffix(f)),
    "smith_set_size": _Kind({}, lambda f: f"Smith set has {_expected(f)} alternatives" + _variant_suffix(f),
                            numeric=True),
    "maximal_lottery_unique": _Kind({"equals": _boolean},
                                    lambda f: ("The maximal lottery is unique" if f["equals"]
                                               else "The maximal lottery is not unique") + _variant_suffix(f)),
    "kwin_rate": _Kind({"policy": _policy, "opponent": _name}, _render_kwin, numeric=True),
    "robust_rate": _Kind({"policy": _policy}, _render_robust, numeric=True),
    "choice_probability": _Kind(
        {"model": _choice_model, "top": _choice_names, "assortment": _choice_names},
        _render_choice,
        numeric=True, modifiers=False, optional=("assortment",)),
    "bt_misfit": _Kind({}, lambda f: "Largest error of the best single Bradley-Terry model on P"
                       + _variant_suffix(f) + f" is {_expected(f)}", numeric=True),
    "cycle_product": _Kind({"cycle": _cycle}, _render_cycle, numeric=True),
}


# ============================================================================ evaluation
def evaluate_claims(scenario) -> list[ClaimResult]:
    """Check every claim of ``scenario`` (see :func:`presets.evaluate`)."""
    variants: dict = {}
    return [_evaluate(claim, scenario, variants) for claim in scenario.claims]


def _evaluate(claim: Claim, scenario, variants: dict) -> ClaimResult:
    f = claim.fields
    try:
        if claim.kind == "choice_probability":
            observed, shown, passed = _choice_probability(f, scenario)
        else:
            v = _variant(f, scenario, variants)
            observed, shown, passed = EVALUATORS[claim.kind](f, v)
    except AggregationError as exc:  # the core refused this computation: the claim cannot hold as stated
        return ClaimResult(claim.text, False, None, f"could not be evaluated: {exc}", claim)
    return ClaimResult(claim.text, bool(passed), observed, shown, claim)


def _variant(f, scenario, variants: dict) -> _Variant:
    sampling = f.get("sampling")
    key = (tuple(f.get("restrict_to", ())), f.get("temperature"),
           None if sampling is None else tuple(sampling.items()), f.get("beta"), f.get("k"))
    if key not in variants:
        population = scenario.population
        if "restrict_to" in f:
            population = population.restrict(f["restrict_to"])
        if "temperature" in f:
            population = population.with_temperature(_number(f["temperature"], "temperature"))
        if sampling is not None:
            D = distribution({a: _number(p, "sampling") for a, p in sampling.items()}, population.alternatives)
        else:
            D = None if "restrict_to" in f else scenario.sampling
        beta = _number(f["beta"], "beta") if "beta" in f else scenario.beta
        variants[key] = _Variant(population, D, beta, f.get("k", scenario.k))
    return variants[key]


def _compute(rule, v: _Variant) -> pd.Series:
    if isinstance(rule, Mapping):
        return distribution({a: _number(p, "policy") for a, p in rule.items()}, v.population.alternatives,
                            what="policy")
    return _result(rule, v).values


def _result(rule: str, v: _Variant) -> RuleResult:
    """The rule's typed result on this variant, computed once."""
    if rule not in v.memo:
        v.memo[rule] = RULES[rule].compute(v.population, RuleParams(beta=v.beta, sampling=v.sampling, k=v.k))
    return v.memo[rule]


def _show(scores: pd.Series) -> str:
    return ", ".join(f"{a} {_fmt(s)}" for a, s in scores.sort_values(ascending=False, kind="stable").items())


def _check_number(f, x: float) -> bool:
    ok = True
    if "equals" in f:
        tol = _number(f["tolerance"], "tolerance") if "tolerance" in f else DEFAULT_TOLERANCE
        ok &= abs(x - _number(f["equals"], "equals")) <= tol
    if "at_least" in f:
        ok &= x >= _number(f["at_least"], "at_least") - 1e-12
    if "at_most" in f:
        ok &= x <= _number(f["at_most"], "at_most") + 1e-12
    if "above" in f:
        ok &= x > _number(f["above"], "above")
    if "below" in f:
        ok &= x < _number(f["below"], "below")
    return bool(ok)


def _eval_winner(f, v):
    scores = _compute(f["rule"], v)
    top = winners(scores)
    observed = top[0] if len(top) == 1 else "none"
    shown = (observed if observed != "none" else "none (tied: " + ", ".join(top) + ")") + f"; {_show(scores)}"
    return observed, shown, observed == f["equals"]


def _eval_ranking(f, v):
    scores = _compute(f["rule"], v)
    groups = tie_groups(scores)
    observed = ranking_text(scores)
    expected = [sorted(g) for g in parse_ranking(f["equals"])]
    return observed, f"{observed}; {_show(scores)}", [sorted(g) for g in groups] == expected


def _eval_order(f, v):
    scores = _compute(f["rule"], v)
    hi, lo = float(scores[f["higher"]]), float(scores[f["lower"]])
    shown = f"{f['higher']} {_fmt(hi)}, {f['lower']} {_fmt(lo)}"
    return {f["higher"]: hi, f["lower"]: lo}, shown, hi - lo > tie_tolerance(scores)


def _eval_score(f, v):
    x = float(_compute(f["rule"], v)[f["alternative"]])
    return x, _fmt(x), _check_number(f, x)


def _eval_probability(f, v):
    p = _compute(f["policy"], v)
    x = float(p[f["alternative"]])
    return x, f"{_fmt(x)}; {_show(p)}", _check_number(f, x)


def _eval_support_size(f, v):
    p = _compute(f["policy"], v)
    support = outcome_support(p)
    return len(support), f"{len(support)}: " + ", ".join(support), _check_number(f, len(support))


def _eval_condorcet(f, v):
    w = condorcet_winner(v.population) or "none"
    return w, w, w == f["equals"]


def _eval_majority(f, v):
    w = majority_winner(v.population) or "none"
    return w, w, w == f["equals"]


def _eval_smith(f, v):
    s = smith_set(v.population)
    return s, "{" + ", ".join(s) + "}", sorted(s) == sorted(f["equals"])


def _eval_smith_size(f, v):
    s = smith_set(v.population)
    return len(s), f"{len(s)} of {len(v.population.alternatives)}", _check_number(f, len(s))


def _eval_unique(f, v):
    certificate = _result("maximal_lottery", v).certificate
    unique = bool(certificate.unique)
    return unique, f"{'unique' if unique else 'not unique'} ({certificate.selection})", unique == f["equals"]


def _eval_kwin(f, v):
    policy = _compute(f["policy"], v)
    rates = kwin_rate(v.population, policy, v.k)
    x = rates[f["opponent"]]
    return x, f"{_fmt(x)}; against every response: {_show(rates.rates)}", _check_number(f, x)


def _eval_robust(f, v):
    policy = _compute(f["policy"], v)
    result = robust_rate(v.population, policy, v.k)
    x = float(result.rate)
    worst = ", ".join(result.worst_opponents)
    return x, f"{_fmt(x)} (worst opponent{'s' if len(result.worst_opponents) > 1 else ''}: {worst})", _check_number(f, x)


def _eval_bt_misfit(f, v):
    fit = bt_misfit(v.population, v.sampling)
    x = fit.max_error
    shown = _fmt(x)
    if fit.max_pair is not None:
        a, b = fit.max_pair
        shown += f" (P[{a}, {b}] {_fmt(preference_matrix(v.population).at[a, b])}, fitted {_fmt(fit.fitted.at[a, b])})"
    return x, shown, _check_number(f, x)


def _eval_cycle(f, v):
    P = preference_matrix(v.population)
    a, b, c = f["cycle"]
    x = float(P.at[a, b] * P.at[b, c] * P.at[c, a])
    reverse = float(P.at[a, c] * P.at[c, b] * P.at[b, a])
    return x, f"{_fmt(x)} (the reverse cycle: {_fmt(reverse)})", _check_number(f, x)


def _choice_probability(f, scenario):
    setup = scenario.choice
    assortment = list(f.get("assortment", setup.assortment))
    top = list(f["top"])
    unknown = [a for a in top if a not in assortment]
    if unknown:
        raise AggregationError(f"{unknown[0]!r} is in the top list but not in the assortment")
    if f["model"] == "mnl":
        x = float(mnl_topk_probability(setup.utilities, assortment, top))
    else:
        x = float(mallows_rmj_topk_probability(list(setup.central_ranking), assortment, top, setup.phi))
    return x, _fmt(x), _check_number(f, x)


EVALUATORS = {
    "winner": _eval_winner, "ranking": _eval_ranking, "order": _eval_order, "score": _eval_score,
    "probability": _eval_probability, "support_size": _eval_support_size,
    "condorcet_winner": _eval_condorcet, "majority_winner": _eval_majority, "smith_set": _eval_smith,
    "smith_set_size": _eval_smith_size, "maximal_lottery_unique": _eval_unique,
    "kwin_rate": _eval_kwin, "robust_rate": _eval_robust, "bt_misfit": _eval_bt_misfit,
    "cycle_product": _eval_cycle,
}
