"""The dashboard's pure building blocks, without Streamlit: numbers, simplex regions, files,
editor conversions, link encoding and figure builders."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from aggregation import (
    AggregationError,
    PairwiseData,
    Profile,
    RewardPopulation,
    majority_graph,
    nbc,
    preference_matrix,
    sample_comparisons,
)
from tests.core.strategies import distributions, reward_populations, weak_order_profiles
from ui import colours, figures, files, numbers, simplex, urls
from ui import population_editor as editor

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    "x, denominator, text",
    [
        (0.4, 10, "2/5"),
        (-0.2, 10, "−1/5"),
        (1.0, 10, "1"),
        (0.0, 10, "0"),
        (0.5, 10, "1/2"),
        (1 / 3, 10, "0.3333"),  # not a multiple of 1/10
        (1 / 3, None, "0.3333"),
        (0.5128205, None, "0.5128"),
    ],
)
def test_exact_writes_fractions_only_when_exact(x, denominator, text):
    assert numbers.exact(x, denominator) == text


@pytest.mark.parametrize(
    "x, text",
    [
        (0.4, "0.4"),
        (1e-6, "1e-06"),
        (-0.5, "−0.5"),
        (7.0, "7"),
        (float("nan"), "–"),
        (float("-inf"), "−∞"),
        (123456.0, "123,456"),
        # issue 13 item 7: thousands separators, and never 1 (or a whole number)
        # for what is not exactly that
        (100_000, "100,000"),
        (0.99997, "0.99997"),
        (1 - 1e-9, "0.999999999"),
        (12345.678, "12,345.68"),
        (1000.0000001, "1,000.0000001"),
        (-2500.0, "−2,500"),
        (2.99997, "2.99997"),
        (5e16, "5e+16"),
    ],
)
def test_decimal(x, text):
    assert numbers.decimal(x) == text


def test_matrix_denominator():
    assert numbers.matrix_denominator(FIGURE_1) == 10
    assert numbers.matrix_denominator(Profile.parse("2.5: A > B\n1: B > A")) is None
    assert numbers.matrix_denominator(RewardPopulation({"u": {"A": 1.0, "B": 0.0}})) is None
    assert numbers.matrix_denominator(Profile.parse("600: A > B")) is None  # 1200 > MAX_DENOMINATOR


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_the_exact_matrix_is_the_matrix(profile):
    denominator = numbers.matrix_denominator(profile)
    P = profile.preference_matrix()
    text = numbers.format_matrix(P, denominator)
    for a in P.index:
        for b in P.columns:
            num, _, den = text.at[a, b].partition("/")
            assert int(num) / int(den or 1) == pytest.approx(P.at[a, b], abs=1e-12)


# ----------------------------------------------------------------------------- simplex
def test_nbc_regions_of_figure_1_by_hand():
    # NBC(R) - NBC(B) = (P[R] - P[B]) . D = -0.1 D_R + 0.4 D_G - 0.1 D_B >= 0  <=>  D_G >= 0.2;
    # G is beaten by R for every D (P[R] - P[G] = (0.5, 0.5, 0) >= 0).
    regions = simplex.nbc_regions(FIGURE_1.preference_matrix().to_numpy())
    r, g, b = regions
    assert sorted(map(tuple, np.round(r, 12))) == [(0.0, 0.2, 0.8), (0.0, 1.0, 0.0), (0.8, 0.2, 0.0)]
    assert simplex.area(r) == pytest.approx(0.64)
    assert len(g) == 0
    assert simplex.area(b) == pytest.approx(0.36)


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(min_m=3, max_m=3, max_n=7), hst.integers(0, 2**32 - 1))
def test_nbc_regions_agree_with_sampled_distributions(profile, seed):
    P = profile.preference_matrix().to_numpy()
    regions = simplex.nbc_regions(P)
    for polygon in regions:
        if len(polygon):
            assert np.allclose(polygon.sum(axis=1), 1) and (polygon >= -1e-12).all()
    if len({tuple(row) for row in np.round(P, 12)}) == 3:  # no two alternatives with identical rows
        assert sum(simplex.area(p) for p in regions) == pytest.approx(1.0, abs=1e-9)
    rng = np.random.default_rng(seed)
    for D in rng.dirichlet(np.ones(3), size=50):
        scores = P @ D
        best = int(np.argmax(scores))
        if np.sort(scores)[-1] - np.sort(scores)[-2] < 1e-9:
            continue  # on a boundary
        polygon = regions[best]
        assert len(polygon), "the winner must own a region"
        for b in range(3):  # D satisfies every half-space that defines the winner's region
            assert (P[best] - P[b]) @ D >= -1e-12
        assert _inside(D, polygon)


def _inside(D, polygon) -> bool:
    """Point in convex polygon (chart coordinates D1, D2), any orientation."""
    pts = polygon[:, 1:]
    x = D[1:]
    signs = []
    for i in range(len(pts)):
        a, b = pts[i], pts[(i + 1) % len(pts)]
        (u1, u2), (v1, v2) = b - a, x - a
        signs.append(u1 * v2 - u2 * v1)
    signs = np.array(signs)
    return bool((signs >= -1e-9).all() or (signs <= 1e-9).all())


# ----------------------------------------------------------------------------- files
def _same_population(a, b):
    """Same preference matrix (a comparison CSV does not carry the order of the alternatives)."""
    P, Q = preference_matrix(a), preference_matrix(b)
    pd.testing.assert_frame_equal(P.loc[Q.index, Q.columns], Q, atol=1e-12)


@pytest.mark.parametrize(
    "model",
    [
        Profile.parse("2: R > G > B\n3: B > R = G\n1: G > R"),
        Profile.parse("2.5: A > B\n1: B > A"),
        RewardPopulation({"u": {"A": 1.0, "B": 0.0, "C": 2.0}, "v": {"A": 0.0, "B": 1.5, "C": -1.0}}, [2, 1], 0.7),
        sample_comparisons(FIGURE_1, 200, seed=3),
    ],
)
def test_every_export_imports_again(model):
    exported, _ = files.exports(model, stem="pop")
    assert exported[0].file_name == "pop.json"
    for export in exported:
        again, what = files.read_population_file(export.file_name, export.make().encode())
        _same_population(again, model)
        assert type(again) is type(model), what


def test_exports_say_what_does_not_apply():
    labels = lambda m: [e.label for e in files.exports(m)[0]]  # noqa: E731
    assert labels(FIGURE_1) == [
        "Population file (.json)",
        "Rankings table (.csv)",
        "Text syntax (.txt)",
        "PrefLib (.soc)",
    ]
    assert labels(Profile.parse("1: A = B > C"))[-1] == "PrefLib (.toc)"
    _, notes = files.exports(Profile.parse("2.5: A > B"))
    assert notes == ["PrefLib files hold whole-number counts only; this population has fractional weights."]


def test_population_json_is_the_core_dict():
    assert json.loads(files.population_json(FIGURE_1)) == {
        "kind": "rankings",
        "alternatives": ["R", "G", "B"],
        "rankings": [{"weight": 2.0, "ranking": "R > G > B"}, {"weight": 3.0, "ranking": "B > R > G"}],
    }


def test_a_csv_is_read_as_comparisons_or_rankings_by_its_header():
    model, what = files.read_population_file("c.csv", b"chosen,rejected\nA,B\nB,C\nA,C\n")
    assert isinstance(model, PairwiseData) and what == "comparison table (CSV)"
    model, what = files.read_population_file("r.csv", b"ranking,weight\nA > B,2\n")
    assert isinstance(model, Profile) and what == "rankings table (CSV)"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("big.csv", b"x" * (files.MAX_UPLOAD_MB * 2**20 + 1), "the file is 50.0 MB; files up to 50 MB are accepted"),
        ("votes.xlsx", b"", "unsupported file type '.xlsx'"),
        ("votes.txt", "2: A > B\n".encode("utf-16"), "the file is not UTF-8 text (byte 0 cannot be decoded)"),
        ("pop.json", b'{"kind": "rankings",\n "rankings": [}', "line 2: not valid JSON"),
        (
            "pop.json",
            b'{"kind": "rankings", "rankings": [{"ranking": "A > B", "weight": -1}]}',
            "population.rankings[0] has weight -1",
        ),
        ("votes.txt", b"2: A > B\nB >\n", "line 2: a name is missing"),
        ("c.jsonl", b'{"chosen": "A", "rejected": "B"}\n{"chosen": "A"}\n', "line 2: rejected is empty"),
    ],
)
def test_bad_files_get_a_message_naming_the_problem(name, data, message):
    with pytest.raises(AggregationError, match=None) as info:
        files.read_population_file(name, data)
    assert message in str(info.value)


def test_sampled_comparisons_are_reproducible_by_seed():
    one = files.sampled_comparisons(FIGURE_1, 100, None, 7, "csv")
    assert one == files.sampled_comparisons(FIGURE_1, 100, None, 7, "csv")
    assert one != files.sampled_comparisons(FIGURE_1, 100, None, 8, "csv")
    assert one.splitlines()[0] == "chosen,rejected,voter" and len(one.splitlines()) == 101


# ----------------------------------------------------------------------------- editor helpers
def test_profile_from_table_keeps_order_skips_blank_rows_and_names_rows():
    table = pd.DataFrame({"ranking": ["B > R > G", "  ", None, "Y > R"], "weight": [3, 1, np.nan, 1]})
    profile, skipped = editor.profile_from_table(table, ["R", "G", "B"])
    assert profile.alternatives == ["R", "G", "B", "Y"]
    assert skipped == [2, 3]
    assert profile.to_text() == "3: B > R > G > Y\n1: Y > R > G = B\n"
    with pytest.raises(AggregationError, match="row 2: the ranking is empty"):
        editor.profile_from_table(pd.DataFrame({"ranking": ["A > B", ""], "weight": [1, 4]}), ["A", "B"])
    with pytest.raises(AggregationError, match="row 1: a name is missing"):
        editor.profile_from_table(pd.DataFrame({"ranking": ["A > "], "weight": [1]}), ["A"])
    with pytest.raises(AggregationError, match="row 2 has weight nan"):
        editor.profile_from_table(pd.DataFrame({"ranking": ["A > B", "B > A"], "weight": [1, None]}), ["A", "B"])
    with pytest.raises(AggregationError, match="the table has no rankings"):
        editor.profile_from_table(pd.DataFrame({"ranking": [None], "weight": [None]}), ["A"])


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_rankings_to_rewards_keeps_every_pairwise_majority(profile):
    """Issue 13, item 1: the conversion's temperature keeps P within eps of the rankings' P in every entry
    (eps = half the smallest non-zero margin, at most 0.001), so no majority changes direction."""
    rewards = editor.rankings_to_rewards(profile)
    T, eps = editor.conversion_temperature(profile.compressed())
    assert rewards.temperature == T and 0 < T <= 1
    P = profile.preference_matrix().to_numpy(float)
    Q = rewards.preference_matrix().to_numpy(float)
    assert np.abs(Q - P).max() <= eps + 1e-12
    strict = np.abs(P - 0.5) > 1e-12
    assert (np.sign(Q - 0.5)[strict] == np.sign(P - 0.5)[strict]).all()


def test_the_jackpot_figure_1_keeps_its_condorcet_winner_as_user_types():
    """At T = 1 the types' P[R, B] = (2 sigma(2) + 3 sigma(-1)) / 5 = 0.5137 > 1/2 would make R the Condorcet winner;
    at the conversion's T = 1/ln(999) rounded down to 0.144, P[R, B] stays within 0.001 of 2/5."""
    profile = Profile.parse("2: R > G > B\n3: B > R > G")
    assert editor.conversion_temperature(profile) == (0.144, 0.001)
    Q = editor.rankings_to_rewards(profile).preference_matrix()
    assert abs(Q.at["R", "B"] - 0.4) <= 0.001
    assert editor.rankings_to_rewards(profile).with_temperature(1.0).preference_matrix().at["R", "B"] == pytest.approx(
        (2 / (1 + np.exp(-2)) + 3 / (1 + np.exp(1))) / 5, abs=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_rankings_to_rewards_and_back_is_the_identity_on_distinct_rankings(profile):
    rewards = editor.rankings_to_rewards(profile)
    # each type's rewards are Borda points: they sum to m(m-1)/2 whatever the ties
    m = len(profile.alternatives)
    assert np.allclose(rewards.rewards.sum(axis=1), m * (m - 1) / 2)
    back = editor.rewards_to_rankings(rewards)
    _same_population(back, profile)


@settings(max_examples=30, deadline=None)
@given(reward_populations())
def test_rewards_table_round_trip(population):
    frame = editor.rewards_frame(population)
    again = editor.rewards_from_table(frame, population.alternatives, population.temperature)
    assert again.fingerprint == population.fingerprint


def test_rewards_table_errors_name_the_row():
    frame = editor.rewards_frame(RewardPopulation({"u": {"A": 1.0, "B": 0.0}}))
    frame.loc[1] = [None, 2.0, 1.0, 1.0]
    with pytest.raises(AggregationError, match="row 2: the user type needs a name"):
        editor.rewards_from_table(frame, ["A", "B"], 1.0)
    frame.loc[1] = [None, None, None, None]  # a fully blank row is ignored
    assert editor.rewards_from_table(frame, ["A", "B"], 1.0).types == ["u"]


def test_same_table_ignores_dtypes_only():
    a = pd.DataFrame({"ranking": pd.Series(["A > B"], dtype="str"), "weight": [2.0]})
    b = pd.DataFrame({"ranking": pd.Series(["A > B"], dtype=object), "weight": [2.0]})
    assert editor.same_table(a, b)
    assert not editor.same_table(a, b.assign(weight=[3.0]))


# ----------------------------------------------------------------------------- links
@settings(max_examples=40, deadline=None)
@given(hst.integers(2, 6).flatmap(lambda m: distributions(m, positive=False)))
def test_sampling_round_trips_through_the_link(D):
    names = [f"y{i}" for i in range(len(D))]
    again = urls.decode_sampling(urls.encode_sampling(D), names)
    np.testing.assert_allclose(again.to_numpy(), D, atol=1e-9)


@pytest.mark.parametrize(
    "text, message",
    [
        ("0.5,x,0.5", "must be numbers separated by commas"),
        ("0.5,0.5", "has 2 numbers but the population has 3 alternatives (R, G, B)"),
        ("0.5,0.6,0.1", "probabilities sum to 1.2, not 1"),
        ("1.5,-0.5,0", "probability of 'G' is -0.5"),
    ],
)
def test_bad_sampling_links(text, message):
    with pytest.raises(AggregationError) as info:
        urls.decode_sampling(text, ["R", "G", "B"])
    assert message in str(info.value)


# ----------------------------------------------------------------------------- figures
def test_colours_follow_colour_names_else_the_palette():
    assert colours.alternative_colours(["R", "G", "B"]) == {"R": "#D55E00", "G": "#009E73", "B": "#0072B2"}
    plain = colours.alternative_colours(["x", "y", "z"])
    assert len(set(plain.values())) == 3
    clash = colours.alternative_colours(["r", "red"])  # two names for one colour: palette for both
    assert len(set(clash.values())) == 2


def test_rule_panels_star_the_winners():
    scores = pd.DataFrame({"R": [7, 2], "G": [2, 0], "B": [6, 3]}, index=["borda", "plurality"], dtype=float)
    fig = figures.rule_panels(
        scores,
        {"borda": "Borda", "plurality": "Plurality"},
        {"borda": "points", "plurality": "first places"},
        {"borda": ["R"], "plurality": ["B"]},
    )
    assert [list(t.text) for t in fig.data] == [["★ 7", "2", "6"], ["2", "0", "★ 3"]]


def test_majority_graph_draws_one_arrow_per_majority():
    edges = majority_graph(FIGURE_1)
    fig = figures.majority_graph(FIGURE_1.alternatives, edges, condorcet="B", smith=["B"])
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == len(edges) == 3
    labels = sorted(a.text for a in fig.layout.annotations if not a.showarrow)
    assert labels == ["0.2", "0.2", "1"]
    node_colours = list(fig.data[0].marker.color)
    assert node_colours[FIGURE_1.alternatives.index("B")] == figures.WINNER


def test_margin_heatmap_marks_the_condorcet_winner():
    M = FIGURE_1.margins()
    fig = figures.margin_heatmap(M, numbers.format_matrix(M, 10), condorcet="B", smith=["B"])
    assert list(fig.data[0].y) == ["R", "G", "★ B"]
    assert fig.data[0].text[0][2] == "−1/5"


def test_nbc_ternary_draws_the_regions_and_markers():
    P = FIGURE_1.preference_matrix().to_numpy()
    fig = figures.nbc_ternary(["R", "G", "B"], simplex.nbc_regions(P), [("current D", [0.2, 0.2, 0.6], "star")])
    names = [t.name for t in fig.data if t.name]
    assert names == ["R first", "B first", "current D"]
    assert nbc(FIGURE_1, [0.2, 0.2, 0.6])["R"] == pytest.approx(0.54)


# ----------------------------------------------------------------------------- phase 2 building blocks
def test_palette_colours_for_many_generic_names():
    names = [f"y{i}" for i in range(20)]
    shown = colours.alternative_colours(names)
    assert list(shown) == names
    assert [shown[n] for n in names[:8]] == colours.PALETTE  # the palette in order, then again
    assert shown["y8"] == colours.PALETTE[0]
    # letters that happen to name colours (G, B, R among A..T) do not switch on the named colours
    letters = colours.alternative_colours([chr(ord("A") + i) for i in range(20)])
    assert letters["A"] == colours.PALETTE[0] and letters["B"] == colours.PALETTE[1]


def test_kwin_curves_draw_the_reference_and_the_marker():
    curve = pd.DataFrame(
        {"uniform": [0.7, 0.8], "NLHF": [0.55, 0.55], "k/(k+1)": [0.5, 2 / 3]}, index=pd.Index([1, 2], name="k")
    )
    fig = figures.kwin_curves(curve, 2, marker=("robust policy at k = 2", 0.81))
    by_name = {t.name: t for t in fig.data}
    assert list(by_name) == ["uniform", "NLHF", "k/(k+1) guarantee", "robust policy at k = 2"]
    assert list(by_name["k/(k+1) guarantee"].y) == [0.5, 2 / 3] and by_name["k/(k+1) guarantee"].line.dash == "dash"
    assert by_name["uniform"].error_y.array is None  # every rate is exact or integrated
    assert fig.layout.shapes[0].x0 == 2 and list(by_name["robust policy at k = 2"].y) == [0.81]


def test_resampling_curve_draws_theorem_4_5_bound():
    table = pd.DataFrame(
        {"robust rate": [0.7, 0.8, 0.85], "bound min(k, l)/(k+1)": [1 / 3, 2 / 3, 2 / 3]},
        index=pd.Index([1, 2, 3], name="l"),
    )
    fig = figures.resampling_curve(table, 2)
    assert [t.name for t in fig.data] == ["MPNE_2 sampled l times", "min(k, l)/(k+1) (Theorem 4.5)"]
    assert list(fig.data[1].y) == [1 / 3, 2 / 3, 2 / 3] and fig.data[1].line.dash == "dash"
    assert fig.layout.shapes[0].x0 == 2


def test_game_size_by_hand():
    from aggregation import game_affordable, game_cells, game_cells_unit

    assert game_cells(FIGURE_1, 4) == 2 * 3  # 2 distinct rankings x 3 answers
    assert game_cells(FIGURE_1, 4, extra=1) == 2 * 2 * 4  # a clone splits every ranking in two
    # one type with equal rewards: every log-weight is 0, so the integration window [-40, 4] of s = log t
    # is covered by the 46 unit panels starting at -40, 20 Gauss-Legendre nodes each: 920 nodes per response
    seven = RewardPopulation({"u": dict.fromkeys("ABCDEFG", 0.0)})
    assert game_cells(seven, 4) == 920 * 7
    assert game_cells(seven, 1) == 49  # k = 1: the pairwise matrix
    assert game_cells(RewardPopulation({"u": dict.fromkeys("ABCDEFGHI", 0.0)}), 4) == 920 * 9  # no m! limit
    assert game_affordable(FIGURE_1, 4)
    assert game_cells_unit(seven, 4) == "(integration node × response) cells"


def test_generator_form_values_become_the_core_parameters():
    from ui import generator_panel

    params = generator_panel.parameters(
        "reward_mixture",
        {"n_types": 3, "alternatives": "x, y", "model": "spatial", "scale": 2, "weights": "equal", "temperature": 0.5},
        seed=9,
    )
    assert params == {
        "n_types": 3,
        "alternatives": ["x", "y"],
        "model": "spatial",
        "scale": 2.0,
        "temperature": 0.5,
        "seed": 9,
    }
    assert generator_panel.parameters("plackett_luce", {"n_voters": 10, "utilities": "a = 1, b=-0.5"}, seed=0) == {
        "n_voters": 10,
        "utilities": {"a": 1.0, "b": -0.5},
        "seed": 0,
    }
    assert (
        generator_panel.parameters("impartial_culture", {"n_voters": 5, "alternatives": " 12 "}, 1)["alternatives"]
        == 12
    )
    with pytest.raises(AggregationError, match=r"utilities, entry 1 \('a 1'\): write name = number"):
        generator_panel.parameters("plackett_luce", {"n_voters": 10, "utilities": "a 1"}, seed=0)
    with pytest.raises(AggregationError, match="give a number of alternatives or their names"):
        generator_panel.parameters("urn", {"n_voters": 10, "alternatives": " , ", "alpha": 0.1}, seed=0)


def test_every_generator_form_matches_the_core_signature():
    import inspect

    from aggregation import GENERATORS
    from ui import generator_panel

    assert set(generator_panel.FORMS) == set(GENERATORS)
    for name, form in generator_panel.FORMS.items():
        accepted = set(inspect.signature(GENERATORS[name]).parameters)
        assert {f.name for f in form.fields} | {"seed"} <= accepted, name


def test_scenario_files_are_read_and_refused_with_the_file_name():
    import presets

    text = presets.dumps(presets.load("jackpot_cycle")).encode()
    assert files.read_scenario_file("cycle.toml", text) == presets.load("jackpot_cycle")
    assert files.read_scenario_file("bom.toml", "\ufeff".encode() + text) == presets.load("jackpot_cycle")
    with pytest.raises(AggregationError, match="not UTF-8"):
        files.read_scenario_file("x.toml", b"\xff\xfe\x00")
    with pytest.raises(AggregationError, match="read it with read_scenario_file"):
        files.read_population_file("x.toml", text)
