"""Claims about how far P is from one Bradley-Terry model (heterogeneous-preferences paper): the
best single model's largest error, and the product of P around a cycle (BT forces a cycle product
and its reverse to be equal)."""

from __future__ import annotations

from aggregation import AggregationError, bt_misfit, preference_matrix

from .base import NumberClaim, check_names, fmt


def check_cycle(value, where, names, ctx):
    """Three distinct alternatives."""
    value = check_names(value, where, names, ctx)
    if len(value) != 3:
        raise AggregationError(f"{where} must list three alternatives, e.g. [\"y1\", \"y2\", \"y3\"]")
    return value


class BTMisfitClaim(NumberClaim):
    """``bt_misfit`` [NUMBER]: the largest |P[a, b] - sigmoid(r_a - r_b)| of the best single
    Bradley-Terry model (:func:`aggregation.bt_misfit`, fitted under the sampling distribution).
    "Largest error of the best single Bradley-Terry model on P is 0.00104027 ± 1e-08"."""

    kind = "bt_misfit"

    def render(self) -> str:
        return "Largest error of the best single Bradley-Terry model on P" + self.suffix() + f" is {self.expected()}"

    def observe(self, v):
        fit = bt_misfit(v.population, v.sampling)
        x = fit.max_error
        shown = fmt(x)
        if fit.max_pair is not None:
            a, b = fit.max_pair
            P = preference_matrix(v.population)
            shown += f" (P[{a}, {b}] {fmt(P.at[a, b])}, fitted {fmt(fit.fitted.at[a, b])})"
        return x, shown, self.accepts(x)


class CycleProductClaim(NumberClaim):
    """``cycle_product`` [cycle, NUMBER]: P[a, b] P[b, c] P[c, a] for ``cycle = [a, b, c]``.
    "Cycle product P[y1, y2] P[y2, y3] P[y3, y1] is 0.0478455 ± 1e-08"."""

    kind = "cycle_product"
    schema = {"cycle": check_cycle}

    def render(self) -> str:
        a, b, c = self.fields["cycle"]
        return f"Cycle product P[{a}, {b}] P[{b}, {c}] P[{c}, {a}] is {self.expected()}" + self.suffix()

    def observe(self, v):
        P = preference_matrix(v.population)
        a, b, c = self.fields["cycle"]
        x = float(P.at[a, b] * P.at[b, c] * P.at[c, a])
        reverse = float(P.at[a, c] * P.at[c, b] * P.at[b, a])
        return x, f"{fmt(x)} (the reverse cycle: {fmt(reverse)})", self.accepts(x)
