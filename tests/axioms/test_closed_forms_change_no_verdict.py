"""The property checks' shortcuts on variations of rankings (issue 12: pairwise and position counts in closed
form, elimination tallies recalled from the original's, merged forms kept, the games solved from the original's
solution) change no verdict: every check of the rules that read the voters gives the same status, scope and
explanation as with variations built eagerly from their rankings and games solved afresh
(``Profile.closed_form_variations = False``, the path before)."""

import numpy as np
import pytest

from aggregation import Profile, check_rule

RULES = [
    "plurality",
    "dowdall",
    "bucklin",
    "instant_runoff",
    "instant_runoff_put",
    "plurality_with_runoff",
    "coombs",
    "benham",
    "tideman_alternative_smith",
    "random_dictatorship",
    "mpne",  # MPNE_k and the robust policy solve variations from the original's solution
    "robust",
]


def _population(ties: bool) -> Profile:
    rng = np.random.default_rng(11 if ties else 12)
    levels = rng.integers(0, 3, (9, 4)) if ties else np.argsort(rng.random((9, 4)), axis=1)
    return Profile.from_levels(levels, list("ABCD"), rng.integers(1, 4, 9).astype(float))


def _verdicts(rule: str, ties: bool, closed: bool):
    Profile.closed_form_variations = closed
    try:
        checks = check_rule(_population(ties), rule)  # a fresh population: nothing remembered from another run
    finally:
        Profile.closed_form_variations = True
    return [(c.axiom, c.status, c.tried, c.scope, c.message) for c in checks]


@pytest.mark.parametrize("ties", [False, True], ids=["strict", "ties"])
@pytest.mark.parametrize("rule", RULES)
def test_the_same_verdicts_with_or_without_the_shortcuts(rule, ties):
    fast, eager = _verdicts(rule, ties, True), _verdicts(rule, ties, False)
    assert [v[0] for v in fast] == [v[0] for v in eager]
    for a, b in zip(fast, eager):
        assert a == b, a[0]
