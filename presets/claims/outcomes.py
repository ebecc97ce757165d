"""Claims about what a rule outputs: its winner, its order, a score, a policy's probabilities."""

from __future__ import annotations

from aggregation import parse_ranking
from aggregation.outcome import ranking_text, support, tie_groups, tie_tolerance, winners

from .base import (
    Claim,
    NumberClaim,
    check_name,
    check_name_or_none,
    check_policy,
    check_ranking,
    check_rule,
    fmt,
    is_distribution,
    sentence,
    show,
)


class WinnerClaim(Claim):
    """``winner`` [rule, equals]: the rule's unique top alternative, or ``"none"`` when several tie
    at the top (:func:`aggregation.outcome.winners`). "Borda winner is R"."""

    kind = "winner"
    schema = {"rule": check_rule, "equals": check_name_or_none}

    def render(self) -> str:
        rule, equals = self.fields["rule"], self.fields["equals"]
        label = self.label(rule)
        if equals == "none":
            body = f"{label} has no single winner (a tie at the top)"
        elif is_distribution(rule):
            body = f"{label} gives {equals} the highest probability"
        else:
            body = f"{label} winner is {equals}"
        return sentence(body) + self.suffix()

    def observe(self, v):
        scores = v.values(self.fields["rule"])
        top = winners(scores)
        observed = top[0] if len(top) == 1 else "none"
        shown = (observed if observed != "none" else "none (tied: " + ", ".join(top) + ")") + f"; {show(scores)}"
        return observed, shown, observed == self.fields["equals"]


class RankingClaim(Claim):
    """``ranking`` [rule, equals]: the rule's whole order, ties with ``=`` ("R > B = G"), ties by
    :func:`aggregation.outcome.tie_groups`. "Borda ranks R = G = B"."""

    kind = "ranking"
    schema = {"rule": check_rule, "equals": check_ranking}

    def render(self) -> str:
        return sentence(f"{self.label(self.fields['rule'])} ranks {self.fields['equals']}") + self.suffix()

    def observe(self, v):
        scores = v.values(self.fields["rule"])
        observed = ranking_text(scores)
        expected = [sorted(g) for g in parse_ranking(self.fields["equals"])]
        return observed, f"{observed}; {show(scores)}", [sorted(g) for g in tie_groups(scores)] == expected


class OrderClaim(Claim):
    """``order`` [rule, higher, lower]: the rule puts one alternative strictly above another (by more
    than the tie tolerance of :mod:`aggregation.outcome`). "NBC ranks y1 above y2"."""

    kind = "order"
    schema = {"rule": check_rule, "higher": check_name, "lower": check_name}

    def render(self) -> str:
        f = self.fields
        return sentence(f"{self.label(f['rule'])} ranks {f['higher']} above {f['lower']}") + self.suffix()

    def observe(self, v):
        f = self.fields
        scores = v.values(f["rule"])
        hi, lo = float(scores[f["higher"]]), float(scores[f["lower"]])
        shown = f"{f['higher']} {fmt(hi)}, {f['lower']} {fmt(lo)}"
        return {f["higher"]: hi, f["lower"]: lo}, shown, hi - lo > tie_tolerance(scores)


class ScoreClaim(NumberClaim):
    """``score`` [rule, alternative, NUMBER]: a rule's value of one alternative. "Borda score of R is 7"."""

    kind = "score"
    schema = {"rule": check_rule, "alternative": check_name}

    def render(self) -> str:
        f = self.fields
        return (
            sentence(f"{self.label(f['rule'])} score of {f['alternative']}") + self.suffix() + f" is {self.expected()}"
        )

    def observe(self, v):
        x = float(v.values(self.fields["rule"])[self.fields["alternative"]])
        return x, fmt(x), self.accepts(x)


class ProbabilityClaim(NumberClaim):
    """``probability`` [policy, alternative, NUMBER]: a lottery's or policy's probability of one
    alternative. "The maximal lottery (NLHF) puts probability 1 on B"."""

    kind = "probability"
    schema = {"policy": check_policy, "alternative": check_name}

    def render(self) -> str:
        f = self.fields
        return (
            sentence(f"{self.label(f['policy'])} puts probability {self.expected()} on {f['alternative']}")
            + self.suffix()
        )

    def observe(self, v):
        p = v.values(self.fields["policy"])
        x = float(p[self.fields["alternative"]])
        return x, f"{fmt(x)}; {show(p)}", self.accepts(x)


class SupportSizeClaim(NumberClaim):
    """``support_size`` [policy, NUMBER]: how many alternatives a policy uses (probability above
    :data:`aggregation.outcome.SUPPORT_THRESHOLD`). "The maximal lottery (NLHF) uses 5 alternatives"."""

    kind = "support_size"
    schema = {"policy": check_policy}

    def render(self) -> str:
        return sentence(f"{self.label(self.fields['policy'])} uses {self.expected()} alternatives") + self.suffix()

    def observe(self, v):
        used = support(v.values(self.fields["policy"]))
        return len(used), f"{len(used)}: " + ", ".join(used), self.accepts(len(used))
