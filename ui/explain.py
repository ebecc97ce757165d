"""Words on screen: the papers behind each idea and a plain explanation of every rule.

Kept apart from the page scripts so that every page explains a rule the same way and the
papers are cited once.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    short: str
    title: str
    url: str

    def link(self) -> str:
        return f"[{self.short}]({self.url})"


PAPERS = {
    "jackpot": Paper("Maura-Rivero et al. 2025", "Jackpot! Alignment as a Maximal Lottery",
                     "https://arxiv.org/abs/2501.19266"),
    "hidden_context": Paper("Siththaranjan et al. 2024",
                            "Distributional Preference Learning: Understanding and Accounting for Hidden "
                            "Context in RLHF", "https://arxiv.org/abs/2312.08358"),
    "heterogeneous": Paper("Shirali et al. 2025", "Direct Alignment with Heterogeneous Preferences",
                           "https://arxiv.org/abs/2502.16320"),
    "dpo": Paper("Rafailov et al. 2023", "Direct Preference Optimization: Your Language Model is Secretly "
                 "a Reward Model", "https://arxiv.org/abs/2305.18290"),
    "nlhf": Paper("Munos et al. 2024", "Nash Learning from Human Feedback", "https://arxiv.org/abs/2312.00886"),
    "maximal_lotteries": Paper("Brandl, Brandt & Seedig 2016", "Consistent Probabilistic Social Choice",
                               "https://doi.org/10.3982/ECTA13337"),
    "test_time": Paper("Cai & Zheng 2026", "Asymptotic Universal Alignment: A New Alignment Framework via "
                       "Test-Time Scaling", "https://arxiv.org/abs/2601.08777"),
}


@dataclass(frozen=True)
class RuleText:
    label: str        # the row label in tables and the chart panel title
    unit: str         # what the numbers are
    explanation: str  # one or two plain sentences
    paper: str | None = None


RULES = {
    "borda": RuleText(
        "Borda (RLHF reward order)", "points",
        "Each voter gives m−1 points to their favourite, m−2 to the next, …, 0 to the last (tied responses "
        "share the points of their places). A Bradley–Terry reward model trained on uniformly sampled pairs "
        "ranks responses in exactly this order.", "hidden_context"),
    "plurality": RuleText(
        "Plurality", "first places",
        "How much voter weight puts each response first (a tie at the top splits the voter). For reward "
        "types: the expected number of first choices.", None),
    "copeland": RuleText(
        "Copeland", "head-to-head wins",
        "One point for every other response it beats in a head-to-head majority vote, half a point per tie.",
        None),
    "rlhf": RuleText(
        "RLHF / DPO policy", "probability",
        "What RLHF and DPO converge to with unlimited data: π_ref · exp(r/β), where r is the Bradley–Terry "
        "reward fitted on pairs sampled from D. It ranks responses like the normalized Borda count under D; "
        "π_ref is uniform.", "dpo"),
    "maximal_lottery": RuleText(
        "Maximal lottery (NLHF)", "probability",
        "The random choice that no response beats in a head-to-head majority vote, on average. Nash "
        "learning from human feedback converges to it; it puts probability 1 on a Condorcet winner.", "jackpot"),
    "average_reward": RuleText(
        "Average-reward policy", "probability",
        "π_ref · exp(E_u r_u / β): the best single policy for heterogeneous user types, maximising their "
        "average reward. Needs reward types (rankings carry no reward scale).", "heterogeneous"),
    "random_dictatorship": RuleText(
        "Random dictatorship (pretrained model)", "probability",
        "Pick a random voter and return their favourite. A pretrained model imitating a random person's "
        "answer behaves like this.", None),
}

CONDORCET = ("A **Condorcet winner** beats every other response in a head-to-head majority vote. The "
             "**Smith set** is the smallest group of responses that each beat every response outside it.")
MARGIN = ("Margin M[a, b] = P[a, b] − P[b, a]: the share of voters preferring the row to the column, minus "
          "the share preferring the column to the row (indifferent voters count half on each side).")
CHART_DOWNLOAD = "Charts: the camera icon in each chart's toolbar (top right, on hover) downloads it as a PNG."
