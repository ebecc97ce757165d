"""The Population page's editors: rankings (table and text), reward types, comparisons, files.

Every editor follows one pattern. Its widget key carries :func:`ui.state.version`, and its
initial content is built from the current population. A valid edit replaces the population
(which bumps the version) and reruns, so the editor is rebuilt from the new population in its
canonical form (identical rankings merged, names normalised). An invalid edit shows the core's
message in place and changes nothing: the previous population stays in force and the user's
edits stay in the editor until fixed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st
from scipy.stats import rankdata

from aggregation import (
    COMPARISONS,
    MATRIX,
    RANKINGS,
    USER_TYPES,
    AggregationError,
    ComparisonCounts,
    PairwiseData,
    Profile,
    RewardPopulation,
    format_ranking,
    parse_ranking,
)
from aggregation import bounds
from aggregation.validate import alternative_names

from . import compute, files, numbers, scenarios, state, urls, widgets
from .page_index import ROOT
from .text import md

#: Above this many distinct rankings (or user types) the table and text editors become read-only.
EDITOR_ROWS = 500
RANKING, WEIGHT = "ranking", "weight"
TYPE, TYPE_WEIGHT = "user type", "type weight"

KIND_LABELS = {RANKINGS: "Rankings with weights", USER_TYPES: "User types with rewards"}
#: A population the editors cannot change (no voters' orders), in words.
READ_ONLY = {COMPARISONS: "a table of {n:,} pairwise comparisons", MATRIX: "a preference matrix"}
#: The same, as the subject of a sentence saying why it cannot be a scenario file.
NO_SCENARIO = {COMPARISONS: "A comparison table", MATRIX: "A preference matrix"}


# ------------------------------------------------------------------ pure helpers (tested directly)
def same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal shape, columns and cell values (dtypes aside: the editor may return other dtypes)."""
    return (
        a.shape == b.shape
        and list(a.columns) == list(b.columns)
        and a.astype(str).to_numpy().tolist() == b.astype(str).to_numpy().tolist()
    )


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def profile_from_table(table: pd.DataFrame, previous_alternatives: list[str]) -> tuple[Profile, list[int]]:
    """The profile a rankings table describes, and the 1-based rows skipped because they are blank.

    Alternatives keep their previous order; new names follow in order of appearance. Errors
    name the row ("row 3: ...").
    """
    rankings, weights, labels, skipped = [], [], [], []
    for i, (ranking, weight) in enumerate(zip(table[RANKING], table[WEIGHT]), start=1):
        if _blank(ranking):
            if _blank(weight) or weight == 1:
                skipped.append(i)
                continue
            raise AggregationError(f"row {i}: the ranking is empty")
        try:
            rankings.append(parse_ranking(str(ranking)))
        except AggregationError as exc:
            raise AggregationError(f"row {i}: {exc}") from None
        weights.append(float("nan") if _blank(weight) else weight)
        labels.append(f"row {i}")
    if not rankings:
        raise AggregationError("the table has no rankings: add at least one row")
    seen = list(dict.fromkeys(name for groups in rankings for group in groups for name in group))
    alternatives = [a for a in previous_alternatives if a in seen] + [a for a in seen if a not in previous_alternatives]
    return Profile.from_rankings(rankings, weights, alternatives, labels=labels), skipped


def rewards_frame(model: RewardPopulation) -> pd.DataFrame:
    frame = model.rewards.reset_index(drop=True)
    frame.insert(0, TYPE_WEIGHT, model.weights.to_numpy())
    frame.insert(0, TYPE, model.types)
    return frame


def rewards_from_table(table: pd.DataFrame, alternatives: list[str], temperature: float) -> RewardPopulation:
    """The reward population a types table describes (fully blank rows are ignored)."""
    keep = [i for i in range(len(table)) if not all(_blank(v) for v in table.iloc[i])]
    table = table.iloc[keep]
    if table.empty:
        raise AggregationError("the table has no user types: add at least one row")
    names = ["" if _blank(t) else str(t).strip() for t in table[TYPE]]
    for row, name in zip(keep, names):
        if not name:
            raise AggregationError(f"row {row + 1}: the user type needs a name")
    for row, name, values in zip(keep, names, table[alternatives].itertuples(index=False)):
        for a, v in zip(alternatives, values):
            if _blank(v):
                raise AggregationError(f"row {row + 1}: user type {name!r} has no reward for {a!r}")
    rewards = pd.DataFrame(table[alternatives].to_numpy(), index=names, columns=alternatives)
    weights = [float("nan") if _blank(w) else w for w in table[TYPE_WEIGHT]]
    return RewardPopulation(rewards, weights, temperature)


#: The most any entry of P may move when rankings become user types (:func:`conversion_temperature`).
MAX_CONVERSION_SHIFT = 1e-3


def conversion_temperature(profile: Profile) -> tuple[float, float]:
    """``(T, eps)``: the annotator temperature at which user types rewarded with Borda points (as
    :func:`rankings_to_rewards` makes them) reproduce the rankings' preference matrix to within ``eps`` in
    every entry, ``eps`` being half the smallest non-zero majority margin ``|P[a, b] - 1/2|`` (and at most
    :data:`MAX_CONVERSION_SHIFT`), so that **every strict pairwise majority keeps its direction**.

    Why it holds: two responses a ranking orders strictly differ by at least 1 Borda point (the groups of
    tied responses g1 above g2 differ by (|g1| + |g2|)/2 >= 1), and tied ones by 0, so each voter's
    Bradley-Terry probability sigma(gap / T) is within sigma(-1/T) of the ranking's own 1, 0 or 1/2 (DESIGN's
    convention); the weighted mean P moves by at most sigma(-1/T) = eps when T = 1 / ln((1 - eps) / eps).
    T is rounded down to 3 significant digits (a lower T only tightens the bound)."""
    P = profile.preference_matrix().to_numpy(float)
    margins = np.abs(P - 0.5)[np.abs(P - 0.5) > 1e-12]
    eps = min(MAX_CONVERSION_SHIFT, float(margins.min()) / 2) if margins.size else MAX_CONVERSION_SHIFT
    T = 1.0 / math.log((1.0 - eps) / eps)
    digits = 2 - math.floor(math.log10(T))
    return math.floor(T * 10**digits) / 10**digits, eps


def rankings_to_rewards(profile: Profile) -> RewardPopulation:
    """Each distinct ranking becomes a user type (same weight) whose reward for a response is its
    Borda points in that ranking: the number of responses it beats, plus half the ties; the annotators'
    temperature is :func:`conversion_temperature`'s, so that every pairwise majority keeps its direction
    (at temperature 1 the Jackpot paper's Figure 1 would turn its Condorcet winner from B to R)."""
    compact = profile.compressed()
    levels = compact.levels.astype(float)
    below = (levels[:, :, None] < levels[:, None, :]).sum(axis=2)
    tied = (levels[:, :, None] == levels[:, None, :]).sum(axis=2) - 1
    points = below + 0.5 * tied
    names = [format_ranking(compact.ranking(i)) for i in range(compact.n_rankings)]
    T, _ = conversion_temperature(compact)
    return RewardPopulation(
        pd.DataFrame(points, index=names, columns=compact.alternatives), compact.weights, temperature=T
    )


def rewards_to_rankings(population: RewardPopulation) -> Profile:
    """Each user type becomes its ranking by reward (equal rewards tied), with the type's weight."""
    R = population.rewards.to_numpy(float)
    levels = rankdata(-R, method="dense", axis=1).astype(np.int64) - 1
    return Profile.from_levels(levels, population.alternatives, population.weights.to_numpy()).compressed()


# ------------------------------------------------------------------ widgets
def kind_switch(model) -> None:
    kind = model.kind
    if kind not in KIND_LABELS:
        st.info(
            f"This population is {READ_ONLY[kind].format(n=model.n_rows)} (imported). It is "
            "shown below as it is; to edit voters, load the example or import rankings.",
            icon=":material/info:",
        )
        return
    key = f"population_kind_{state.version()}"
    st.segmented_control(
        "Describe the voters by",
        list(KIND_LABELS),
        default=kind,
        required=True,
        format_func=KIND_LABELS.get,
        key=key,
        on_change=_switch_kind,
        args=(key,),
        help="Switching converts the current population: each distinct ranking becomes a user "
        "type whose rewards are its Borda points, its annotators at a temperature low enough "
        "that every pairwise majority keeps its direction; each user type becomes the ranking "
        "of its rewards.",
    )


def _switch_kind(key: str) -> None:
    choice, model = st.session_state[key], state.population()
    if choice == USER_TYPES and model.kind == RANKINGS:
        T, eps = conversion_temperature(model.compressed())
        state.set_population(rankings_to_rewards(model))
        state.notice(
            f"Converted to user types: each distinct ranking is a type whose rewards are its Borda points, "
            f"and annotators compare by Bradley–Terry at temperature T = {T:g}, low enough that every entry "
            f"of P moves by at most {numbers.decimal(eps, 2)} (half the smallest majority margin, at most "
            f"{MAX_CONVERSION_SHIFT:g}): every pairwise majority keeps its direction, so a Condorcet winner (and "
            "the maximal lottery that picks it) stays. At T = 1 the annotators would be noisy enough to "
            "change the answer; raise T on this page to see that."
        )
    elif choice == RANKINGS and model.kind == USER_TYPES:
        state.set_population(rewards_to_rankings(model))


def scenario_picker() -> None:
    """Load a scenario of the failure-case library (replaces the population and its settings)."""
    library = scenarios.available()
    ids = [s.id for s in library]
    titles = {s.id: s.title for s in library}
    current = state.origin().scenario
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox(
        "Scenario from the failure-case library",
        ids,
        format_func=titles.get,
        index=ids.index(current) if current in ids else 0,
        key="scenario_choice",
    )
    right.button(
        "Load it",
        key="scenario_load",
        icon=":material/download_for_offline:",
        on_click=_load_scenario,
        args=("scenario_choice",),
        help="Replaces the population, D, β, k and the ranked-choice models.",
    )
    if current and not state.origin().edited:
        spec = scenarios.page_of(scenarios.load(current))
        st.page_link(
            ROOT / spec.path,
            label=f"See “{titles[current]}” on {spec.title}",
            icon=spec.icon,
            query_params=urls.current_params(),
        )


def _load_scenario(key: str) -> None:
    urls.apply_scenario(scenarios.load(st.session_state[key]))


def title_field(origin) -> None:
    """The current population's title, editable (links, saved files and chart titles use it)."""
    st.text_input(
        "Title of this population",
        value=origin.title,
        max_chars=state.MAX_TITLE_CHARS,
        key=f"population_title_{state.version()}_{hash(origin.title)}",
        on_change=_rename,
        args=(f"population_title_{state.version()}_{hash(origin.title)}",),
        help="After an edit it reads “Edited from …” the original; type your own. Links, saved "
        "files and chart titles use it.",
    )


def _rename(key: str) -> None:
    state.rename(st.session_state[key])


def reset_button() -> None:
    st.button(
        "Reset to the example",
        key="population_reset",
        icon=":material/restart_alt:",
        help="The Jackpot paper's Figure 1: 2 voters R > G > B, 3 voters B > R > G.",
        on_click=lambda: state.set_population(state.default_population(), state.DEFAULT_ORIGIN),
    )


def rankings_editor(model: Profile) -> None:
    """The table of distinct rankings with weights."""
    rows = compute.population_summary(model).rows
    if rows > EDITOR_ROWS:
        st.warning(
            f"This population has {rows:,} distinct rankings, too many to edit here. The first "
            f"{EDITOR_ROWS} are shown read-only; edit the file and import it again.",
            icon=":material/info:",
        )
        widgets.table(compute.rankings_frame(model, EDITOR_ROWS), hide_index=True, key="rankings_preview")
        return
    frame = compute.rankings_frame(model)
    edited = st.data_editor(
        frame,
        key=f"rankings_table_{state.version()}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            RANKING: st.column_config.TextColumn(
                "Ranking (best first)",
                width="large",
                help="Names separated by > (preferred) or = (tied), best first, e.g. B > R = G. Names a "
                "ranking leaves out share its last place; a new name adds an alternative ("
                + files.limits_sentence("MAX_ALTERNATIVES")
                + f", names of up to {bounds.MAX_NAME_CHARS} "
                "characters).",
            ),
            WEIGHT: st.column_config.NumberColumn(
                "Weight",
                min_value=0.0,
                default=1.0,
                width="small",
                format="%g",
                help="How many voters hold this ranking (or their share); must be positive.",
            ),
        },
    )
    if same_table(edited, frame):
        return
    try:
        profile, skipped = profile_from_table(edited, model.alternatives)
    except AggregationError as exc:
        widgets.error(exc, prefix="Not applied: ")
        st.caption("The population is unchanged until the table is valid again.")
        return
    if skipped and profile.compressed().fingerprint == model.compressed().fingerprint:
        st.caption(f"Row {', '.join(map(str, skipped))} is empty: type a ranking to add it.")
        return
    apply_or_confirm(profile, model, "table")


#: The fingerprint of a population whose new answers the user confirmed (:func:`apply_or_confirm`).
CONFIRMED_KEY = "population_new_names_confirmed"


def apply_or_confirm(profile: Profile, model, where: str) -> None:
    """Apply an edit at once, unless it brings answers the population did not have (``3: B > R > X``: a typo
    or a new answer?): then say which, and apply it only once the user confirms. Until then the population is
    unchanged and what the user typed stays where it is (the table or the text), to be fixed or confirmed."""
    new = [a for a in profile.alternatives if a not in model.alternatives]
    if not new or st.session_state.get(CONFIRMED_KEY) == profile.fingerprint:
        st.session_state.pop(CONFIRMED_KEY, None)
        state.set_population(profile)
        st.rerun()
    names = ", ".join(f"“{md(a)}”" for a in new)
    one = len(new) == 1
    st.warning(
        f"This edit adds {'a new answer' if one else f'{len(new)} new answers'}: {names} (the population has "
        f"{', '.join(md(a) for a in model.alternatives)}). If {'it is a typo' if one else 'one is a typo'}, "
        f"fix it in the {where}; the population is unchanged until then.",
        icon=":material/help:",
    )
    st.button(
        "Yes, add the new answer" if one else "Yes, add the new answers",
        key=f"confirm_new_names_{where}",
        icon=":material/add:",
        on_click=_confirm_new_names,
        args=(profile.fingerprint,),
    )


def _confirm_new_names(fingerprint: str) -> None:
    st.session_state[CONFIRMED_KEY] = fingerprint


def rankings_text(model: Profile) -> None:
    """The same rankings in the text syntax, applied with a button."""
    if compute.population_summary(model).rows > EDITOR_ROWS:
        return
    v = state.version()
    text = st.text_area(
        "Rankings as text",
        value=model.compressed().to_text(),
        key=f"rankings_text_{v}",
        height=180,
        help="One ranking per line: weight, colon, ranking. '#' starts a comment. "
        + files.limits_sentence("MAX_ALTERNATIVES", "MAX_RANKINGS")
        + ".",
    )
    pending = f"rankings_text_pending_{v}"
    if st.button("Apply text", key=f"rankings_text_apply_{v}", icon=":material/check:"):
        st.session_state[pending] = text
    if st.session_state.get(pending) is not None and st.session_state[pending] == text:
        try:
            profile = Profile.parse(text)
        except AggregationError as exc:
            st.session_state.pop(pending, None)
            widgets.error(exc, prefix="Not applied: ")
            st.caption("The population is unchanged; your text is kept above.")
            return
        apply_or_confirm(profile, model, "text")


def rewards_editor(model: RewardPopulation) -> None:
    """User types (rows) with weights and a reward per alternative; the annotator temperature."""
    v = state.version()
    left, right = st.columns([3, 1])
    alternatives_text = left.text_input(
        "Responses (comma-separated)",
        value=", ".join(model.alternatives),
        key=f"rewards_alternatives_{v}",
        help="Add a name to add a response (its rewards start at 0); remove one to drop it.",
    )
    temperature = right.number_input(
        "Annotator temperature T",
        min_value=0.001,
        value=float(model.temperature),
        step=0.1,
        format="%.3g",
        key=f"rewards_temperature_{v}",
        help="Annotators prefer a to b with probability sigmoid((r(a) − r(b)) / T): small T follows the "
        "rewards strictly, large T answers almost at random.",
    )
    st.caption(
        "Lower T makes annotators follow their rewards more strictly: at T = 1 a reward gap of 1 wins "
        "73% of comparisons (sigmoid(1) = 0.731), at T = 0.25 it wins 98%."
    )
    frame = rewards_frame(model)
    if len(frame) > EDITOR_ROWS:
        st.warning(f"{len(frame):,} user types are too many to edit here; shown read-only.", icon=":material/info:")
        widgets.table(frame.head(EDITOR_ROWS), hide_index=True, key="rewards_preview")
        return
    config = {
        TYPE: st.column_config.TextColumn("User type", width="medium"),
        TYPE_WEIGHT: st.column_config.NumberColumn("Weight", min_value=0.0, default=1.0, format="%g"),
    }
    config.update(
        {a: st.column_config.NumberColumn(f"reward {a}", default=0.0, format="%g") for a in model.alternatives}
    )
    edited = st.data_editor(
        frame, key=f"rewards_table_{v}", num_rows="dynamic", hide_index=True, width="stretch", column_config=config
    )
    try:
        names = alternative_names(alternatives_text.split(","), what="responses")
        if names != model.alternatives:
            edited = edited.reindex(columns=[TYPE, TYPE_WEIGHT, *names], fill_value=0.0)
        changed = (
            names != model.alternatives or float(temperature) != model.temperature or not same_table(edited, frame)
        )
        if not changed:
            return
        population = rewards_from_table(edited, names, float(temperature))
    except AggregationError as exc:
        widgets.error(exc, prefix="Not applied: ")
        st.caption("The population is unchanged until the inputs are valid again.")
        return
    state.set_population(population)
    st.rerun()


def comparisons_view(model: PairwiseData | ComparisonCounts) -> None:
    if isinstance(model, ComparisonCounts):
        widgets.table(model.table(EDITOR_ROWS), hide_index=True, key="comparisons_preview", height=240)
        who = f" and {model.n_annotators:,} annotators" if model.has_annotators else ""
        st.caption(
            f"{model.n_comparisons:,} comparisons ({model.n_ties:,} ties) kept as counts per pair{who}: "
            f"{min(EDITOR_ROWS, model.n_cells):,} of {model.n_cells:,} cells shown. A tie counts half a "
            "win for each side in P."
        )
        return
    widgets.table(model.table.head(EDITOR_ROWS), hide_index=True, key="comparisons_preview", height=240)
    if model.n_comparisons > EDITOR_ROWS:
        st.caption(f"First {EDITOR_ROWS} of {model.n_comparisons:,} comparisons.")


def summary(model) -> None:
    """Counts and the preference matrix (exact fractions where exact, ± standard error when estimated)."""
    s = compute.population_summary(model)
    widgets.glance(model)
    cols = st.columns(3)
    cols[0].metric("Alternatives", len(s.alternatives))
    cols[1].metric(model.nouns.capitalize(), f"{s.rows:,}")
    cols[2].metric(
        "Total weight" if s.total_weight is not None else "Pairs never compared",
        numbers.weight(s.total_weight) if s.total_weight is not None else len(s.unobserved_pairs),
    )
    st.markdown(
        "**Preference matrix** P[row, column]: the share of voters preferring the row to the column, "
        "indifferent voters counting half."
    )
    if len(s.alternatives) > 30:
        st.caption(f"{len(s.alternatives)} alternatives: the matrix is available as a download.")
    elif s.standard_errors is not None:
        shown = (
            s.P.apply(lambda col: col.map(numbers.decimal))
            + " ± "
            + s.standard_errors.apply(lambda col: col.map(numbers.decimal))
        )
        widgets.table(shown, key="population_matrix", width="content")
        st.caption(
            "Estimated from the comparisons: ± one standard error (binomial; with ties, that of the mean "
            "score 1 / ½ / 0, a tie counting half for each side). Pairs never compared get 1/2."
        )
    else:
        widgets.table(
            numbers.format_matrix(s.P, numbers.matrix_denominator(model)), key="population_matrix", width="content"
        )
    widgets.csv_download(s.P, file_name="preference-matrix.csv", key="population_matrix_csv", label="Download P as CSV")


def import_panel() -> None:
    uploaded = st.file_uploader(
        "Import a population file",
        type=list(files.IMPORT_TYPES),
        key="import_file",
        max_upload_size=files.MAX_UPLOAD_MB,
        help="PrefLib (.soc .soi .toc .toi), a rankings CSV (columns ranking, weight), a comparison table "
        "(CSV or JSONL with chosen, rejected), a population file (.json) or counts file (.parquet) saved "
        "here or by python -m aggregation.cli import-log, text (.txt), or a scenario file (.toml) saved here "
        "or from presets/scenarios/. Limits: " + files.IMPORT_LIMITS,
    )
    st.caption(f"Limits: {files.IMPORT_LIMITS}")
    prompt = st.text_input("Prompt to use (comparison files with several prompts)", key="import_prompt")
    if st.button(
        "Import (replaces the current population)",
        key="import_button",
        disabled=uploaded is None,
        icon=":material/upload:",
    ):
        try:
            if files.is_scenario_file(uploaded.name):
                scenario = files.read_scenario_file(uploaded.name, uploaded.getvalue())
            else:
                model, what = files.read_population_file(uploaded.name, uploaded.getvalue(), prompt=prompt or None)
        except AggregationError as exc:
            widgets.error(exc, prefix=f"{uploaded.name}: " if not str(exc).startswith(uploaded.name) else "")
            return
        if files.is_scenario_file(uploaded.name):
            # a library scenario keeps its id (a link can name it); any other scenario is the user's own
            origin = (
                None
                if scenarios.is_library_scenario(scenario)
                else state.Origin(f"{scenario.title} (from {uploaded.name})", generator=scenario.generator)
            )
            urls.apply_scenario(scenario, origin)
        else:
            state.set_population(model, state.Origin(f"imported from {uploaded.name} ({what})"))
        st.rerun()


def export_panel(model) -> None:
    available, notes = files.exports(model)
    if not model.has_full_rankings:
        notes.append(
            f"{NO_SCENARIO[model.kind]} cannot be saved as a scenario file: scenarios hold rankings or user types."
        )
    else:
        scenario = files.scenario_for_download(
            model, state.origin(), state.sampling(), urls.current_beta(), urls.current_k(), state.choice_setup()
        )
        st.download_button(
            "Scenario file (.toml): population and settings",
            data=lambda: files.scenario_text(scenario),
            file_name=f"{scenario.id}.toml",
            mime="application/toml",
            key="export_scenario",
            icon=":material/download:",
            on_click="ignore",
            type="primary",
            help="The population with D, β and k (and, for a scenario of the library, its story and "
            "claims); import it here to get the same screen back.",
        )
    with st.container(horizontal=True):
        for export in available:
            st.download_button(
                export.label,
                data=export.make,
                file_name=export.file_name,
                mime=export.mime,
                key=f"export_{export.file_name}",
                icon=":material/download:",
                on_click="ignore",
            )
    for note in notes:
        st.caption(note)
    if not model.has_full_rankings:
        return
    st.markdown(
        "**Draw a comparison dataset** from this population, the way the Jackpot paper builds one: "
        "a pair of different responses from the sampling distribution D, labelled by a random voter."
    )
    c1, c2, c3 = st.columns([1, 1, 2])
    n = int(c1.number_input("Comparisons", min_value=1, max_value=1_000_000, value=2048, step=256, key="sample_n"))
    seed = int(c2.number_input("Seed", min_value=0, value=0, step=1, key="sample_seed"))
    D = state.sampling()
    c3.download_button(
        "Download (.csv)",
        key="sample_download",
        data=lambda: files.sampled_comparisons(model, n, D, seed, "csv"),
        file_name=f"comparisons-n{n}-seed{seed}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
