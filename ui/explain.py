"""Words on screen: the papers behind each idea and a plain explanation of every rule.

Kept apart from the page scripts so that every page explains a rule the same way. The rules' names,
units, explanations and references come from the rule registry (``aggregation.RULES``) and the
papers from the one papers table (``aggregation.papers``); this module only writes them for the
screen (markdown links).
"""

from __future__ import annotations

from dataclasses import dataclass

from aggregation import COMPARISONS, MATRIX, RANKINGS, USER_TYPES
from aggregation import RULES as REGISTRY
from aggregation.rules.result import SCORES
from aggregation.papers import PAPERS, Reference

from .numbers import decimal
from .text import md


def link(key: str) -> str:
    """A paper of :data:`aggregation.papers.PAPERS` as a markdown link (its short name when it has no link)."""
    paper = PAPERS[key]
    return f"[{paper.short}]({paper.url})" if paper.url else paper.short


def reference(ref: Reference) -> str:
    """A reference with its paper linked: "[Cai & Zheng 2026](https://...), Theorem 4.3"."""
    return f"{link(ref.paper)}, {ref.where}" if ref.where else link(ref.paper)


@dataclass(frozen=True)
class RuleText:
    label: str  # the row label in tables and the chart panel title (the registry's name)
    unit: str  # what the numbers are (the registry's unit)
    explanation: str  # one or two plain sentences (the registry's explanation)
    source: str  # the registry's references, each paper linked


#: Every rule of the registry (``aggregation.RULES``), in its display order, as the screen words it.
RULES = {
    rule_id: RuleText(rule.name, rule.unit, rule.explanation, "; ".join(reference(r) for r in rule.references))
    for rule_id, rule in REGISTRY.items()
}


_NUMBER_WORDS = dict(
    enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"))
)
_WAYS = sum(rule.family != "baselines" for rule in REGISTRY.values())
_BASELINES = [rule.label for rule in REGISTRY.values() if rule.family == "baselines"]
#: The Rules page's first sentence (counted from the registry).
RULES_INTRO = (
    f"The same voters, {_NUMBER_WORDS.get(_WAYS, _WAYS)} ways to turn their preferences into one answer"
    + (f", next to {' and '.join(_BASELINES)}, a baseline that ignores them" if _BASELINES else "")
    + ". Score rules give points; the alignment methods give a **policy**, the probability of answering with "
    "each response."
)


def papers_behind() -> str:
    """Every paper of the papers table that can be opened, as a markdown list."""
    return "\n".join(f"- {link(p.key)}: *{p.title}*" for p in PAPERS.values() if p.url)


def rule_source(rule_id: str) -> str:
    """The rule's sources in words, each paper linked."""
    return RULES[rule_id].source


CONDORCET = (
    "A **Condorcet winner** beats every other response in a head-to-head majority vote. The "
    "**Smith set** is the smallest group of responses that each beat every response outside it."
)
MARGIN = (
    "Margin M[a, b] = P[a, b] − P[b, a]: the share of voters preferring the row to the column, minus "
    "the share preferring the column to the row (indifferent voters count half on each side)."
)
CHART_DOWNLOAD = (
    "Charts: the camera icon in each chart's toolbar (top right, on hover) downloads it, titled with "
    "what it shows and the population, as a PNG or an SVG (choose under Chart downloads in the sidebar)."
)


def opponents(names) -> str:
    """Worst-case opponents in words, the same on every page: every response tied for the worst case is named
    (the core returns them all), with "(tied)" when there are several: "y2", "A, B, C (tied)"."""
    names = list(names)
    text = ", ".join(md(a) for a in names)
    return f"{text} (tied)" if len(names) > 1 else text


def bt_fit_sentence(fit) -> str:
    """What :func:`aggregation.bt_misfit` found, for a newcomer: whether one reward model (the
    Bradley–Terry model RLHF fits, and DPO's policy implies) reproduces the population's
    head-to-head shares, and if not, by how much it misses and a cycle that shows why (the proof of
    Proposition B.1 of Shirali et al.)."""
    if fit.fits_exactly():
        return (
            "**One reward model explains these comparisons.** The Bradley–Terry reward that RLHF fits (and "
            "DPO's policy implies) reproduces every head-to-head share P[a, b] of this population exactly"
            + (" (with two answers one reward model always does)." if len(fit.reward) == 2 else ".")
        )
    a, b = (md(x) for x in fit.max_pair)
    P_ab = float(fit.fitted.loc[fit.max_pair[0], fit.max_pair[1]])
    observed = P_ab + fit.max_error
    text = (
        "**No single reward model reproduces these comparisons.** RLHF fits one Bradley–Terry reward for "
        f"everyone (and DPO's policy implies one); the best fit is off by up to {decimal(fit.max_error)}: "
        f"{a} beats {b} with probability {decimal(observed)}, the fitted model says {decimal(P_ab)} "
        f"({decimal(fit.mean_error)} off on average over the pairs drawn from D)."
    )
    if fit.cycle is not None and fit.cycle_gap > 1e-9:
        x, y, z = (md(c) for c in fit.cycle)
        text += (
            f" For instance, going round {x} → {y} → {z} → {x} the probabilities that each beats the next "
            f"multiply to {decimal(fit.forward)}, and the other way round to {decimal(fit.backward)}; a "
            f"single reward model always makes these two equal ({link('heterogeneous')}, "
            "Proposition B.1)."
        )
    return text


# ---------------------------------------------------------------------------- test-time scaling
TEST_TIME = (
    "A model that may answer with **k samples** lets the user keep the one they like best. Its **k-sample win "
    "rate** against a rival answer y is the chance that a random user prefers the k samples to y. The **robust "
    "rate f(k)** is the worst case over every rival answer. A policy that is the multi-player Nash equilibrium of "
    "the (k+1)-player game (**MPNE_k**) reaches at least **k/(k+1)** (Theorem 4.3), and no method beats that rate on "
    "every population (Propositions 3.2 and 3.3); NLHF's maximal lottery can stay near 1/2 for every k "
    "(Proposition 4.1)."
)
#: How sets of answers are compared, by population kind (``Population.kind``).
TESTTIME_CONVENTION = {
    RANKINGS: (
        "**How the k samples meet a rival (rankings).** A voter compares the best of the k samples with the rival "
        "answer, and ties go to the model: if one of the samples *is* the rival answer, or the voter likes the best "
        "sample and the rival equally, the model wins. In the game behind MPNE_k a player scores only when its "
        "answer is *strictly* preferred to all k others; this is why MPNE_1 need not be the maximal lottery, which "
        "gives half a point for indifference."
    ),
    USER_TYPES: (
        "**How the k samples meet a rival (user types).** The paper's Plackett–Luce set comparison (section 2.1): a "
        "user of each type picks the k samples over the rival y with probability W / (W + w(y)), where w = "
        "exp(reward / T) and W adds up the samples' weights, duplicates included. A sample identical to y only adds "
        "its weight (y against itself is a coin flip). For k = 1 this is the Bradley–Terry comparison, so MPNE_1 is "
        "the maximal lottery."
    ),
    COMPARISONS: (
        "**How the k samples meet a rival (pairwise data).** A comparison table only records who won each pair, "
        "so only k = 1 is shown: a sample identical to the rival counts for the model, distinct answers compare by "
        "their pairwise win rate. In the game behind MPNE_1 a player scores only when its answer is *strictly* "
        "preferred (Cai & Zheng, section 2.1: identical answers tie), so MPNE_1 need not be the maximal lottery, "
        "which gives half a point to a tie: even a Condorcet winner may share MPNE_1's mass."
    ),
}
TESTTIME_CONVENTION[MATRIX] = TESTTIME_CONVENTION[COMPARISONS]
#: What an entry of the win-rate table is, by population kind.
WIN_RATE_ENTRY = {
    RANKINGS: "the chance that a random voter likes the best of the k samples at least as much as y",
    USER_TYPES: "the chance that a random user picks the k samples over y (Plackett–Luce set comparison)",
    COMPARISONS: "the chance that the sample beats y (a sample equal to y counts as a win)",
}
WIN_RATE_ENTRY[MATRIX] = WIN_RATE_ENTRY[COMPARISONS]
MULTI_OUTPUT = (
    "**If the model could choose its k answers together** (a k-output policy: a lottery over sets of k answers), "
    "the best one wins at least k/(k+1) against every rival answer (**Theorem 3.1**); here it is computed exactly, "
    "as one linear program over every set of k answers."
)
RESAMPLING = (
    "**A policy trained for k samples but used with l samples** still wins at least min(k, l)/(k+1) against every "
    "rival answer (**Theorem 4.5**): fewer samples cost gracefully, more never hurt."
)
OPPONENT_SETS = (
    "**If the rival also answers with l responses**, MPNE_k sampled k times still wins at least (k+1−l)/(k+1) "
    "(**Theorem D.6**, appendix D.7); no method can guarantee more than k/(k+l) on every population (the "
    "appendix's Plackett–Luce example with equal rewards)."
)
METHODS = {
    "exact (closed form)": "exact (closed form)",
    "exact (enumeration)": "exact (every multiset of k samples enumerated)",
}

# ---------------------------------------------------------------------------- properties
PROPERTY_VERSIONS = (
    f"Score rules ({', '.join(rule.name for rule in REGISTRY.values() if rule.output == SCORES)}) are checked by "
    "their **winner**; rules that output a lottery or a policy by their **probabilities**, as in probabilistic "
    f"social choice ({PAPERS['rolling_dice'].authors}, *{PAPERS['rolling_dice'].title}*, 2017); the Jackpot paper "
    f"contrasts RLHF with the maximal lottery this way ({link('jackpot')}). Every check runs on the current "
    "population: a failure is a counterexample found here; a pass is a proof on this population when the check "
    "tried every variation the property allows (✔ pass), else it says that no counterexample was found within "
    "the stated bounds (✔ none found)."
)

# ---------------------------------------------------------------------------- ranked choice
RANKED_CHOICE = (
    "A user is shown an **assortment** of answers and reports their favourite, or their top few in order. "
    "**MNL** works with a utility per answer: each pick is made with probability proportional to exp(utility) "
    "among the answers left. **Mallows-RMJ** works only with a central ranking and a dispersion φ: the answer in "
    "place r of the assortment (by the central ranking) is picked first with odds φ^(r−1), however close the "
    f"answers are ({link('rcpo')}; {link('mallows_choice')})."
)
RANKED_CHOICE_FORMULAS = (
    "Formulas of the RCPO paper (Tang & Feng, section 3): MNL, equation (8); Mallows-RMJ first choice, "
    "equation (9), and ordered top lists, equation (11). A top list of an assortment of m answers gets a factor "
    "φ^(m − t) for each place t where it puts an answer directly above one the central ranking prefers, and φ for "
    "each answer left off the list that the central ranking puts above its last pick. Both are the exact "
    "probabilities of the Mallows model with the reverse major index distance over full rankings (equation 6); "
    "the tests check them against a sum over every ranking."
)
