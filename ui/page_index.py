"""The dashboard's pages, as plain data: their files, titles, icons, URL paths and one-line help.

Read by the frame (:mod:`ui.shell`: navigation and headers), by links between pages (:mod:`ui.urls`,
:mod:`ui.widgets`, :mod:`ui.scenarios`, the page scripts) and by the tests; it imports nothing from
``ui``, so every module can read it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aggregation import PROPERTIES, RULES

#: The repository root: page files are given relative to it.
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the repository root (AppTest's switch_page takes this path)
    title: str
    icon: str
    url_path: str
    help: str


PAGES = (
    PageSpec(
        "pages/population.py",
        "Population",
        ":material/groups:",
        "population",
        "Who the voters are: rankings with weights or user types with rewards, a scenario from the library "
        "or a seeded generator. Edit, import, export; every other page reads this population.",
    ),
    PageSpec(
        "pages/rules.py",
        "Rules side by side",
        ":material/balance:",
        "rules",
        "Every rule of the registry on the current population ("
        + ", ".join(rule.name for rule in RULES.values())
        + "), with the majority margins.",
    ),
    PageSpec(
        "pages/yee.py",
        "Yee diagrams",
        ":material/scatter_plot:",
        "yee",
        "Candidates in a plane, voters around every point: each point coloured by the winner of a rule, "
        "several rules side by side.",
    ),
    PageSpec(
        "pages/sampling.py",
        "Sampling distribution",
        ":material/change_history:",
        "sampling",
        "How the distribution of compared responses steers DPO: NBC under D, the ternary map of winners, "
        "and the smallest change of D that flips the order.",
    ),
    PageSpec(
        "pages/testtime.py",
        "Test-time scaling",
        ":material/casino:",
        "testtime",
        "Sample a policy k times and keep the best answer: the robust win rate f(k) of each policy against "
        "k/(k+1), MPNE_k and the robust policy with their certificates.",
    ),
    PageSpec(
        "pages/properties.py",
        "Properties",
        ":material/fact_check:",
        "properties",
        "Which rule keeps which promise ("
        + ", ".join(p.name.lower() for p in PROPERTIES.values())
        + ") on this population, with the counterexample when it does not; the smallest paradox of any rule "
        "and property, found on demand.",
    ),
    PageSpec(
        "pages/ranked_choice.py",
        "Ranked choice",
        ":material/format_list_numbered:",
        "ranked-choice",
        "Choices from a set of answers: MNL against Mallows-RMJ first-choice and top-k probabilities, next "
        "to what this population answers.",
    ),
    PageSpec(
        "pages/fine_tuning.py",
        "Fine-tuning",
        ":material/model_training:",
        "fine-tuning",
        "Train a small language model on comparisons drawn from the population and see where it lands "
        "next to the theory.",
    ),
    PageSpec(
        "pages/experiments.py",
        "Experiments",
        ":material/science:",
        "experiments",
        "The papers' experiments, one click each: Jackpot's Figure 2, Figure 4 of the heterogeneous-preferences "
        "paper, multi-player self-play; runs across seeds, grouped by method next to the theory.",
    ),
)


def page(url_path: str) -> PageSpec:
    """The page with this URL path."""
    return next(p for p in PAGES if p.url_path == url_path)


def target(url_path: str) -> Path:
    """The page's script, as ``st.page_link`` and ``st.switch_page`` take it."""
    return ROOT / page(url_path).path
