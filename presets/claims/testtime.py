"""Claims about test-time sampling (Cai & Zheng, section 2.1): the k-sample win rate of a policy
against one response, and its worst case over responses (the robust rate)."""

from __future__ import annotations

from aggregation import kwin_rate, robust_rate

from .base import NumberClaim, check_name, check_policy, fmt, sentence, show


class KWinRateClaim(NumberClaim):
    """``kwin_rate`` [policy, opponent, NUMBER]: the probability that the best of k draws from the
    policy is liked at least as much as the opponent. "4-sample win rate of the maximal lottery
    (NLHF) against y2 is 0.55"."""

    kind = "kwin_rate"
    schema = {"policy": check_policy, "opponent": check_name}

    def render(self) -> str:
        f = self.fields
        return (
            f"{self.k}-sample win rate of {self.label(f['policy'], k_in_sentence=True)} against {f['opponent']}"
            + self.suffix()
            + f" is {self.expected()}"
        )

    def observe(self, v):
        rates = kwin_rate(v.population, v.values(self.fields["policy"]), v.k)
        x = rates[self.fields["opponent"]]
        return x, f"{fmt(x)}; against every response: {show(rates.rates)}", self.accepts(x)


class RobustRateClaim(NumberClaim):
    """``robust_rate`` [policy, NUMBER]: the minimum over opponents of the k-sample win rate.
    "Robust rate of the maximal lottery (NLHF) at k = 4 is below 0.61"."""

    kind = "robust_rate"
    schema = {"policy": check_policy}

    def render(self) -> str:
        return (
            sentence(f"robust rate of {self.label(self.fields['policy'], k_in_sentence=True)} at k = {self.k}")
            + self.suffix()
            + f" is {self.expected()}"
        )

    def observe(self, v):
        result = robust_rate(v.population, v.values(self.fields["policy"]), v.k)
        x = float(result.rate)
        worst = ", ".join(result.worst_opponents)
        plural = "s" if len(result.worst_opponents) > 1 else ""
        return x, f"{fmt(x)} (worst opponent{plural}: {worst})", self.accepts(x)
