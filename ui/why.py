""" "Why" expanders (issue 13): where a page shows a concept, a closed expander says in plain words what it is
and why it matters, with the paper's section (references of :mod:`aggregation.papers`, linked through
:func:`ui.explain.reference`). One table of concepts, so that every page words a concept the same way."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from aggregation.papers import Reference

from .explain import reference


@dataclass(frozen=True)
class Concept:
    label: str  # the expander reads "Why: <label>"
    text: str  # plain words, markdown (no user text)
    references: tuple[Reference, ...]


CONCEPTS: dict[str, Concept] = {
    "condorcet": Concept(
        "the Condorcet winner",
        "A **Condorcet winner** beats every other answer in a head-to-head majority vote. A rule that always picks "
        "it when there is one is *Condorcet-consistent*. Borda, and so RLHF, is not: in the Jackpot example B "
        "beats R and G 3 to 2 each, yet Borda picks R because R is never ranked last.",
        (Reference("jackpot", "section 3.2, Definition 2"), Reference("jackpot", "section 3.1, Figure 1")),
    ),
    "smith": Concept(
        "the Smith set",
        "When majorities go round in a cycle there is no Condorcet winner. The **Smith set** is then the smallest "
        "group of answers each of which beats, head to head, every answer outside it. It always exists, holds "
        "the Condorcet winner alone when there is one, and the Jackpot paper argues that an answer from it is "
        "adequate for open-ended prompts, where a single universally preferred text is unlikely.",
        (Reference("jackpot", "Appendix A.4"), Reference("smith")),
    ),
    "maximal_lottery": Concept(
        "the maximal lottery",
        "Instead of one answer, a **lottery** over answers: the one that no other lottery beats on average in "
        "head-to-head majorities (the optimal strategy of the zero-sum game whose payoff is the margin M). It "
        "gives a Condorcet winner probability 1 and mixes over a cycle otherwise. Nash learning from human "
        "feedback (NLHF) converges to it, which is why the Jackpot paper proposes it for alignment.",
        (Reference("jackpot", "section 5.1, eq. (1)"), Reference("jackpot", "section 5.3")),
    ),
    "rlhf_borda": Concept(
        "RLHF orders answers like Borda",
        "RLHF fits one reward with the Bradley–Terry model on pairs of answers. With enough data and pairs "
        "sampled uniformly, each answer's reward follows how often it wins against a random rival, which is its "
        "**Borda** score up to scale: an answer that nobody ranks last can beat the majority's favourite.",
        (Reference("jackpot", "section 3.1 and Appendix A.9"), Reference("hidden_context", "Theorem 3.1")),
    ),
    "nbc": Concept(
        "the normalized Borda count (NBC)",
        "The **NBC** of an answer under a sampling distribution D is the chance that a random annotator prefers "
        "it to a rival drawn from D. With enough data DPO (and RLHF) orders answers by it, so changing which "
        "answers get compared can change the winner although no one changes their mind.",
        (Reference("heterogeneous", "Definition 4.1"), Reference("heterogeneous", "Proposition 4.2")),
    ),
    "kwin": Concept(
        "the k-sample win rate",
        "At test time the model answers with **k samples** and the user keeps the one they like best. Its win "
        "rate against a rival answer is the chance that this best sample is preferred; the **robust rate f(k)** "
        "is the worst case over rivals. A policy achieving f(k) against every single-answer rival is "
        "*(k, f(k))-robustly aligned*.",
        (Reference("test_time", "Definition 1.1"), Reference("test_time", "section 2.1")),
    ),
    "mpne": Concept(
        "MPNE",
        "The **multi-player Nash equilibrium** of a game with k + 1 players, each choosing a policy and scoring "
        "when its answer is preferred to all the others'. Sampled k times it wins at least k/(k+1) of the time "
        "against every rival, the best rate possible; the NLHF policy can collapse onto one answer (a Condorcet "
        "winner) and then gains nothing from more samples.",
        (Reference("test_time", "Definition 4.2, Theorem 4.3"), Reference("test_time", "section 4.1")),
    ),
    "misfit": Concept(
        "one reward model may not fit",
        "RLHF fits a single Bradley–Terry reward for everyone. When the population mixes types that disagree, no "
        "single reward reproduces every head-to-head share (a mixture of Bradley–Terry models is not one), so "
        "what RLHF learns is a compromise; the misfit says how far the best single reward is off.",
        (Reference("heterogeneous", "section 3 and Proposition B.1"),),
    ),
}


def why(key: str) -> None:
    """The closed "Why" expander of the concept ``key`` of :data:`CONCEPTS`."""
    concept = CONCEPTS[key]
    with st.expander(f"Why: {concept.label}", icon=":material/help:", key=f"why_{key}"):
        st.markdown(concept.text)
        st.caption("Source: " + "; ".join(reference(r) for r in concept.references))


def why_row(*keys: str) -> None:
    """Several concepts side by side (one column each)."""
    for column, key in zip(st.columns(len(keys)), keys):
        with column:
            why(key)
