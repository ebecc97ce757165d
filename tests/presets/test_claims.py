"""The claim classes: a kind is one class (registered by defining it), rules and policies are the
registry's, and each variant of a scenario is made once."""

import pytest

import presets
from aggregation import RULES, AggregationError, smith_set
from presets.claims import KINDS, POLICIES, Claim, NumberClaim, Variant
from presets.library import SCENARIO_DIR

MAJORITY = (SCENARIO_DIR / "jackpot_majority.toml").read_text(encoding="utf-8")
TYRANNY = (SCENARIO_DIR / "hetero_tyranny.toml").read_text(encoding="utf-8")


def _with_claims(base: str, claims: str) -> str:
    return base[: base.index("[[claims]]")] + claims


def test_a_new_kind_is_one_class():
    """Defining the class is all it takes: the file format parses it, its sentence and its
    evaluation come with it (the class is removed again afterwards)."""

    class SmithShareClaim(NumberClaim):
        """``smith_share`` [NUMBER]: the share of the alternatives in the Smith set."""

        kind = "smith_share"

        def render(self):
            return f"The Smith set holds a share {self.expected()} of the alternatives" + self.suffix()

        def observe(self, v):
            x = len(smith_set(v.population)) / len(v.population.alternatives)
            return x, f"{x:.6g}", self.accepts(x)

    try:
        assert KINDS["smith_share"] is SmithShareClaim
        claims = (
            '[[claims]]\nkind = "smith_share"\nequals = "1/3"\n\n'
            '[[claims]]\nkind = "smith_share"\nrestrict_to = ["R", "G"]\nabove = 0.5\n'
        )
        s = presets.loads(_with_claims(MAJORITY, claims))
        assert [c.text for c in s.claims] == [
            "The Smith set holds a share 1/3 of the alternatives",
            "The Smith set holds a share above 0.5 of the alternatives without B",
        ]
        # B is the Condorcet winner (3 of 5 voters prefer it to R and to G): the Smith set is {B};
        # without B, R beats G for all 5 voters: {R}, a share of 1/2
        assert [(r.passed, r.observed) for r in presets.evaluate(s)] == [(True, pytest.approx(1 / 3)), (False, 0.5)]
        with pytest.raises(AggregationError, match=r"claims\[0\]\.rule: unknown field for a 'smith_share' claim"):
            presets.loads(_with_claims(MAJORITY, '[[claims]]\nkind = "smith_share"\nrule = "borda"\nequals = 1\n'))
        assert presets.loads(presets.dumps(s)) == s
    finally:
        KINDS.pop("smith_share", None)
    with pytest.raises(AggregationError, match="unknown claim kind 'smith_share'"):
        presets.loads(_with_claims(MAJORITY, '[[claims]]\nkind = "smith_share"\nequals = 1\n'))


def test_a_kind_is_defined_once():
    with pytest.raises(TypeError, match="claim kind 'winner' is defined twice"):

        class AnotherWinner(Claim):
            kind = "winner"

    assert KINDS["winner"].__name__ == "WinnerClaim"


def test_every_registry_rule_is_a_rule_and_the_distributions_are_the_policies():
    assert set(POLICIES) == {rule_id for rule_id, rule in RULES.items() if rule.output in ("lottery", "policy")}
    for rule_id, rule in RULES.items():
        base = TYRANNY if rule.needs == "rewards" else MAJORITY
        first = "y1" if base is TYRANNY else "R"
        table = f'[[claims]]\nkind = "winner"\nrule = "{rule_id}"\nequals = "{first}"\n'
        claim = presets.loads(_with_claims(base, table)).claims[0]
        label = rule.mid_sentence(4)
        assert claim.text.startswith(label[:1].upper() + label[1:] + " ")
        if rule_id in POLICIES:
            assert claim.text.endswith(f" gives {first} the highest probability")
        else:
            assert claim.text.endswith(f" winner is {first}")


def test_the_sentences_use_the_registry_labels():
    claims = (
        '[[claims]]\nkind = "winner"\nrule = "mpne"\nequals = "B"\n\n'
        '[[claims]]\nkind = "probability"\npolicy = "robust"\nalternative = "B"\nk = 2\nat_least = 0\n\n'
        '[[claims]]\nkind = "robust_rate"\npolicy = "robust"\nk = 2\nat_least = 0\n\n'
        '[[claims]]\nkind = "kwin_rate"\npolicy = "mpne"\nopponent = "R"\nat_least = 0\n'
    )
    s = presets.loads(_with_claims(MAJORITY, claims))
    assert [c.text for c in s.claims] == [
        "MPNE_4 gives B the highest probability",
        "The robust policy for k = 2 puts probability at least 0 on B",
        "Robust rate of the robust policy at k = 2 is at least 0",
        "4-sample win rate of MPNE_4 against R is at least 0",
    ]
    # MPNE_4 on a population with a Condorcet winner B: B wins every k-sample game (p = 1 on B)
    assert presets.evaluate(s)[0].passed is True


def test_each_variant_of_a_scenario_is_made_once():
    s = presets.load("hetero_temperature")
    variants: dict = {}
    made = [Variant.of(c, s, variants) for c in s.claims]
    hot = [c for c in s.claims if "temperature" in c.fields]
    assert hot and len(variants) == 2  # the scenario itself and T = 2
    assert made[s.claims.index(hot[0])] is made[s.claims.index(hot[-1])]
    assert made[0].population is s.population and made[s.claims.index(hot[0])].population.temperature == 2
