"""The test-time policies as rules: MPNE_k and the robust policy (Cai & Zheng; computed in
:mod:`aggregation.testtime.games`)."""

from __future__ import annotations

import pandas as pd

from ..outcome import support
from ..papers import Reference
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from ..testtime.games import mpne, robust_policy
from ..testtime.rates import kwin_rate
from .ballots import names_text, number_text
from .result import POLICY
from .rule import GAME, Rule, RuleParams, Step


# ---------------------------------------------------------------------------- traces
def _game_words(population, k: int) -> str:
    population = as_population(population)
    others = "the other player's" if k == 1 else f"all {k} of the others' responses"
    if population.kind == USER_TYPES:
        return (
            f"an annotator of a random user type prefers its response to {others}, comparing sets by their "
            "Plackett-Luce weights exp(r(y)/T)"
        )
    if population.kind == RANKINGS:
        return f"a random voter strictly prefers its response to {others}"
    return f"a random voter prefers its response to {others} (k = 1: the pairwise preferences suffice)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def mpne_trace(population: Population, params: RuleParams) -> list[Step]:
    """MPNE_k's equilibrium conditions: every response's deviation utility U(y; pi) (what a player earns
    answering y while the k others play pi) against the equilibrium value E_{y~pi} U(y; pi); then the
    k-sample guarantee 1 - max_y U >= k/(k+1) (Cai & Zheng, Definition 4.2, Theorem 4.3)."""
    k = params.k
    result = mpne(population, k)
    cert = result.certificate
    pi = result.values
    U = 1.0 - kwin_rate(population, pi, k).rates.rename(None).rename_axis(None)
    value = cert.equilibrium_utility
    used = support(pi)
    table = pd.DataFrame({"pi(y)": pi, "U(y; pi)": U, "U(y; pi) - value": U - value})
    state = (
        f"to solver accuracy (exploitability gap {number_text(cert.gap)})"
        if cert.converged
        else f"NOT to solver accuracy: a player deviating gains up to {number_text(cert.gap)}, so this is the best "
        "point found, not an equilibrium"
    )
    outside = [y for y in pi.index if y not in used]
    worst = cert.worst_opponents
    rival = f"The worst rival{'s' if len(worst) > 1 else ''}, {names_text(worst)}, leave{'' if len(worst) > 1 else 's'}"
    others = "other player plays" if k == 1 else f"other {k} play"
    beneath = f"; {names_text(outside)} earn{'s' if len(outside) == 1 else ''} at most the value" if outside else ""
    return [
        Step(
            "The game",
            f"{k + 1} players each answer with a response; a player scores when "
            f"{_game_words(population, k)} (Cai & Zheng, section 2.1 and Definition 4.2, eq. (3)). MPNE_{k} is a "
            "symmetric equilibrium: every player answers with the same policy pi and none gains by answering "
            "otherwise.",
            pi.to_frame("pi(y)"),
            tuple(used),
        ),
        Step(
            "Equilibrium conditions",
            f"Each row: U(y; pi), what a player earns by answering y while the {others} "
            f"pi. The equilibrium value is E_(y~pi) U(y; pi) = {number_text(value)}. At an equilibrium no response "
            f"earns more than the value and every response pi uses earns exactly the value{beneath}. Here the "
            f"largest U is {number_text(U.max())}: the conditions hold {state}.",
            table,
            tuple(used),
        ),
        Step(
            "The guarantee",
            f"Sampled {_plural(k, 'time')}, pi's best answer is liked at least as much as a rival "
            f"response y with probability 1 - U(y; pi). {rival} {number_text(cert.guarantee)}, at least k/(k+1) = "
            f"{number_text(k / (k + 1))} as Theorem 4.3 promises (up to the gap). Computed {cert.evaluated_by}.",
            (1.0 - U).to_frame(f"{k}-sample win rate against y"),
            tuple(cert.worst_opponents),
        ),
        Step(
            "The answer",
            f"MPNE_{k}: " + ", ".join(f"{y} with probability {number_text(pi[y])}" for y in used) + ".",
            pi.to_frame("probability"),
            tuple(used),
        ),
    ]


def robust_trace(population: Population, params: RuleParams) -> list[Step]:
    """The robust policy and its certificate: its worst-case k-sample win rate (the guarantee), the
    optimal opponent mix and the upper bound it proves on every policy's guarantee."""
    k = params.k
    result = robust_policy(population, k)
    cert = result.certificate
    pi = result.values
    rates = kwin_rate(population, pi, k).rates.rename(None).rename_axis(None)
    used = support(pi)
    table = pd.DataFrame({"pi(y)": pi, f"{k}-sample win rate against y": rates, "opponent mix": cert.opponent_mix})
    state = (
        "optimal to solver accuracy"
        if cert.converged
        else f"NOT optimal to solver accuracy (gap {number_text(cert.optimality_gap)})"
    )
    return [
        Step(
            "What it maximises",
            f"Sample the policy {_plural(k, 'time')} and keep the answer the user likes best; "
            "against a rival response y that answer wins with the k-sample win rate. The robust policy makes the "
            "smallest of these rates, over every y, as large as possible (Cai & Zheng, Definition 1.1). Its worst "
            f"rival{'s' if len(cert.worst_opponents) > 1 else ''}: {names_text(cert.worst_opponents)}, at "
            f"{number_text(cert.guarantee)}.",
            table,
            tuple(cert.worst_opponents),
        ),
        Step(
            "The certificate",
            "The last column is a mix of rivals. Against it, averaged, no policy's win rate can "
            f"exceed {number_text(cert.best_possible)}, so no policy guarantees more; this one guarantees "
            f"{number_text(cert.guarantee)}: {state} (gap {number_text(cert.optimality_gap)}). Computed "
            f"{cert.evaluated_by}.",
            table,
            tuple(cert.worst_opponents),
        ),
        Step(
            "The answer",
            f"The robust policy for k = {k}: "
            + ", ".join(f"{y} with probability {number_text(pi[y])}" for y in used)
            + ".",
            pi.to_frame("probability"),
            tuple(used),
        ),
    ]


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "mpne",
        "MPNE_k",
        "MPNE_{k}",
        "The policy that is a symmetric equilibrium of a (k+1)-player game in which each player wants its answer "
        "to beat the other k; sampling it k times guarantees a k-sample win rate of at least k/(k+1).",
        POLICY,
        "probability",
        "test time",
        (Reference("test_time", "Definition 4.2, Theorem 4.3"),),
        ("k",),
        GAME,
        lambda m, p: mpne(m, p.k, progress=p.progress),
        solves_game=True,
        trace=mpne_trace,
    ),
    Rule(
        "robust",
        "Robust policy_k",
        "the robust policy",
        "The policy whose k sampled answers have the highest worst-case chance of containing one the user likes "
        "at least as much as any fixed alternative answer.",
        POLICY,
        "probability",
        "test time",
        (Reference("test_time", "Definition 1.1, maximised directly over single-output policies"),),
        ("k",),
        GAME,
        lambda m, p: robust_policy(m, p.k, progress=p.progress),
        solves_game=True,
        trace=robust_trace,
    ),
]
