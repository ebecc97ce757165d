"""Claims about the majority relation: Condorcet and majority winners, the Smith set, and whether
the maximal lottery (the maximin strategy of the margin game) is unique."""

from __future__ import annotations

from aggregation import condorcet_winner, majority_winner, smith_set

from .base import Claim, NumberClaim, check_boolean, check_name_or_none, check_names


class CondorcetWinnerClaim(Claim):
    """``condorcet_winner`` [equals]: the alternative that beats every other head to head, or
    ``"none"``. "Condorcet winner is B"."""

    kind = "condorcet_winner"
    schema = {"equals": check_name_or_none}

    def render(self) -> str:
        equals = self.fields["equals"]
        return ("There is no Condorcet winner" if equals == "none" else f"Condorcet winner is {equals}") + self.suffix()

    def observe(self, v):
        w = condorcet_winner(v.population) or "none"
        return w, w, w == self.fields["equals"]


class MajorityWinnerClaim(Claim):
    """``majority_winner`` [equals]: the alternative a majority ranks first, or ``"none"``.
    "Majority winner is B"."""

    kind = "majority_winner"
    schema = {"equals": check_name_or_none}

    def render(self) -> str:
        equals = self.fields["equals"]
        return (
            "No alternative is ranked first by a majority" if equals == "none" else f"Majority winner is {equals}"
        ) + self.suffix()

    def observe(self, v):
        w = majority_winner(v.population) or "none"
        return w, w, w == self.fields["equals"]


class SmithSetClaim(Claim):
    """``smith_set`` [equals]: the Smith set, as a list (any order). "Smith set is {R, G, B}"."""

    kind = "smith_set"
    schema = {"equals": check_names}

    def render(self) -> str:
        return "Smith set is {" + ", ".join(self.fields["equals"]) + "}" + self.suffix()

    def observe(self, v):
        s = smith_set(v.population)
        return s, "{" + ", ".join(s) + "}", sorted(s) == sorted(self.fields["equals"])


class SmithSetSizeClaim(NumberClaim):
    """``smith_set_size`` [NUMBER]: how many alternatives the Smith set holds. "Smith set has 20 alternatives"."""

    kind = "smith_set_size"

    def render(self) -> str:
        return f"Smith set has {self.expected()} alternatives" + self.suffix()

    def observe(self, v):
        s = smith_set(v.population)
        return len(s), f"{len(s)} of {len(v.population.alternatives)}", self.accepts(len(s))


class MaximalLotteryUniqueClaim(Claim):
    """``maximal_lottery_unique`` [equals]: whether the maximal lottery is unique (true / false), as
    its certificate says. "The maximal lottery is not unique"."""

    kind = "maximal_lottery_unique"
    schema = {"equals": check_boolean}

    def render(self) -> str:
        return (
            "The maximal lottery is unique" if self.fields["equals"] else "The maximal lottery is not unique"
        ) + self.suffix()

    def observe(self, v):
        certificate = v.result("maximal_lottery").certificate
        unique = bool(certificate.unique)
        shown = f"{'unique' if unique else 'not unique'} ({certificate.selection})"
        return unique, shown, unique == self.fields["equals"]
