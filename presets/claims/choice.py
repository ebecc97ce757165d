"""Claims about ranked-choice models (RCPO paper, Tang & Feng, arXiv 2510.23631): the probability
that MNL or Mallows-RMJ puts a given list on top, read from the scenario's ``[choice]`` table."""

from __future__ import annotations

from aggregation import AggregationError, mallows_rmj_topk_probability, mnl_topk_probability

from .base import NumberClaim, check_names, fmt

#: The ranked-choice models a claim may name, and their names in a sentence.
MODELS = {"mnl": "MNL", "mallows_rmj": "Mallows-RMJ"}


def check_model(value, where, names, ctx):
    """``"mnl"`` or ``"mallows_rmj"``, in a scenario with a ``[choice]`` table."""
    if value not in MODELS:
        raise AggregationError(f"{where} must be 'mnl' or 'mallows_rmj', got {value!r}")
    if ctx.choice_alternatives is None:
        raise AggregationError(f"{where}: a choice_probability claim needs the scenario's [choice] table")
    return value


def check_choice_names(value, where, names, ctx):
    """Distinct alternatives of the ranked-choice setup."""
    return check_names(value, where, ctx.choice_alternatives or (), ctx)


class ChoiceProbabilityClaim(NumberClaim):
    """``choice_probability`` [model, top, NUMBER; optional assortment]: the probability that the
    model's top choices from the assortment (default: the ``[choice]`` table's) are ``top``, in
    order. "Mallows-RMJ probability that the first choice is A is 4/7". The scenario's variant
    fields do not apply (the ``[choice]`` table fixes the model's parameters)."""

    kind = "choice_probability"
    schema = {"model": check_model, "top": check_choice_names, "assortment": check_choice_names}
    optional = ("assortment",)
    variants = False

    def render(self) -> str:
        f = self.fields
        top = f["top"]
        what = (
            f"the first choice is {top[0]}"
            if len(top) == 1
            else "the top " + str(len(top)) + " are (" + ", ".join(top) + ")"
        )
        among = " from {" + ", ".join(f["assortment"]) + "}" if "assortment" in f else ""
        return f"{MODELS[f['model']]} probability that {what}{among} is {self.expected()}"

    def observe(self, v):
        setup, f = v.choice, self.fields
        assortment = list(f.get("assortment", setup.assortment))
        top = list(f["top"])
        unknown = [a for a in top if a not in assortment]
        if unknown:
            raise AggregationError(f"{unknown[0]!r} is in the top list but not in the assortment")
        if f["model"] == "mnl":
            x = float(mnl_topk_probability(setup.utilities, assortment, top))
        else:
            x = float(mallows_rmj_topk_probability(list(setup.central_ranking), assortment, top, setup.phi))
        return x, fmt(x), self.accepts(x)
