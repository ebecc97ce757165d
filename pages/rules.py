"""Rules side by side: every rule of the registry on the current population, the majority margins and graph."""

import streamlit as st

from aggregation import (
    COMPARISONS,
    RULES,
    AggregationError,
    game_affordable,
    game_cells,
    game_cells_unit,
    game_seconds,
    outcome,
)
from ui import (
    background,
    compute,
    explain,
    figures,
    numbers,
    present,
    readable,
    shell,
    sizing,
    state,
    steps,
    uncertainty,
    urls,
    why,
    widgets,
)
from ui.text import md, md_list

shell.page_header("Rules side by side", explain.RULES_INTRO + " ★ marks each rule's top response.", url_path="rules")

model = state.population()
D = state.sampling()
controls = st.columns([1, 1, 2], gap="medium")
beta = widgets.beta_input(container=controls[0])
k = widgets.k_input(container=controls[1])
with controls[2]:
    st.markdown(
        "**Sampling distribution D** (pairs compared when training RLHF / DPO): "
        + ("uniform" if D is None else ", ".join(f"{md(a)} {numbers.decimal(p)}" for a, p in D.items()))
    )
    st.page_link(
        shell.ROOT / shell.page("sampling").path,
        label="Change D on the Sampling page",
        icon=":material/change_history:",
    )

sampling = None if D is None else tuple(D.to_numpy())
job_key = ("rules_games", model.fingerprint, k, float(beta), sampling)
games = background.games_ready(
    ("games", (model.fingerprint, k)),
    job_key,
    f"Solving MPNE_{k} and the robust policy",
    lambda progress: compute.rules_games(model, beta, sampling, k, progress),
    seconds=game_seconds(model, k),
    affordable=game_affordable(model, k),
)
try:
    view = compute.rules_view(model, beta, sampling, k=k, games=games)
except AggregationError as exc:
    widgets.error(exc)
    st.stop()

names = view.alternatives
labels = {r: explain.RULES[r].label for r in compute.RULE_KEYS}
chosen = readable.focus(names, fingerprint=model.fingerprint)  # many alternatives: which ones to draw
computed = [r for r in compute.RULE_KEYS if r not in view.unavailable and r not in view.deferred]

# one sentence a newcomer reads first
borda, lottery = view.winners.get("borda", []), view.scores.loc["maximal_lottery"]
headline = [
    f"Borda (the RLHF reward's order) puts **{md_list(borda, ' = ')}** first" if borda else None,
    "the maximal lottery answers "
    + ", ".join(f"**{md(a)}** with probability {numbers.decimal(lottery[a])}" for a in outcome.support(lottery)),
    f"the Condorcet winner is **{md(view.condorcet_winner)}**"
    if view.condorcet_winner
    else "there is **no Condorcet winner**",
]
if model.kind == COMPARISONS and view.winners.get("bt_elo"):  # what an arena leaderboard would publish
    headline.insert(
        1,
        f"an arena leaderboard (Bradley–Terry on the Elo scale) puts "
        f"**{md_list(view.winners['bt_elo'], ' = ')}** first",
    )
st.markdown("On this population, " + "; ".join(h for h in headline if h) + ".")
steps.stepper(model, beta=beta, sampling=sampling, k=k, games=games)


def unit(rule_id: str) -> str:
    text = explain.RULES[rule_id].unit
    if rule_id in ("rlhf", "average_reward"):
        return f"{text}, β = {numbers.decimal(beta)}"
    if RULES[rule_id].solves_game:
        return f"{text}, k = {k}"
    return text


table = view.scores.loc[computed].rename(index=labels)
table.insert(0, "unit", [unit(r) for r in computed])
highlight = {labels[r]: view.winners[r] for r in computed}
if chosen:
    table = table[["unit", *chosen]]
widgets.table(
    widgets.styled(table, {a: numbers.decimal for a in table.columns[1:]}, highlight),
    key="rules_table",
    height="content" if len(names) <= sizing.SEARCH_FROM else sizing.table_height(len(table)),
    width="stretch",
)
if view.bt_fit is not None:  # next to the RLHF / DPO row: is one reward model enough?
    with st.container(key="rules_bt_fit"):
        st.caption(f"**{labels['rlhf']}:** " + explain.bt_fit_sentence(view.bt_fit))
why.why_row("rlhf_borda", "maximal_lottery", *(("misfit",) if view.bt_fit is not None else ()))
for rule_id, reason in view.unavailable.items():
    st.caption(f"**{labels[rule_id]}** does not apply here: {md(reason)}.")
for rule_id, certificate in view.certificates.items():
    st.caption(f"**{labels[rule_id]}** (k = {k}): " + widgets.certificate_text(certificate))
for rule_id, notes in view.notes.items():
    st.caption(f"**{labels[rule_id]}**: " + "; ".join(md(note) for note in notes) + ".")
job = background.get(job_key)
if view.deferred and job is not None and job.state == background.DONE:
    st.rerun()  # it ended while this run drew the page without it: the next run reads it
if view.deferred and job is not None and job.alive:
    background.panel(job_key, "rules_background")
elif view.deferred:
    size = game_cells(model, k)
    if job is not None:
        background.panel(job_key, "rules_background")  # how the last run ended (cancelled, failed)
    if widgets.on_request(
        "games",
        (model.fingerprint, k),
        button_key="rules_games",
        on_click=lambda: background.forget(job_key),
        label=f"Solve MPNE_{k} and the robust policy",
        explanation=f"MPNE_{k} and the robust policy solve a game over {size:,} {game_cells_unit(model, k)} "
        "on this population, which can take from seconds to minutes; they are computed when you ask, in the "
        "background, with a progress bar and a Cancel button.",
    ):
        st.rerun()  # the job started above, at the top of this run
widgets.csv_download(
    view.scores.loc[computed].rename(index=labels),
    file_name="rules.csv",
    key="rules_csv",
    label="Download the table as CSV",
)
if model.kind == COMPARISONS:
    uncertainty.section(model, computed, labels, beta, sampling)
if view.lottery is not None and not view.lottery.unique:
    st.info(
        f"The maximal lottery is **not unique** on this population: several lotteries are unbeaten. The one "
        f"shown is the {view.lottery.selection}; it is unique, treats alternatives symmetrically and uses every "
        f"alternative some maximal lottery uses ({', '.join(md(a) for a in view.lottery.essential_set)}).",
        icon=":material/info:",
    )
if view.rlhf_infinite_gaps:
    st.info(
        "Some responses are ranked below others by every voter: their Bradley–Terry reward is −∞ and the "
        "RLHF / DPO policy gives them probability 0.",
        icon=":material/info:",
    )

widgets.chart(
    figures.rule_panels(
        view.scores.loc[computed],
        labels,
        {r: unit(r) for r in computed},
        view.winners,
        chosen=chosen,
        phone=present.on_a_phone(),
    ),
    key="rules_chart",
    file_name="rules-side-by-side",
    title="Every rule on the same voters",
)
st.caption(explain.CHART_DOWNLOAD)
st.page_link(
    shell.ROOT / shell.page("fine-tuning").path,
    label="Train on this population",
    icon=":material/model_training:",
    query_params=urls.current_params(),
)

with st.expander("What each rule does, and where it comes from", expanded=False):
    for rule_id in compute.RULE_KEYS:
        rule = explain.RULES[rule_id]
        st.markdown(f"**{rule.label}** — {rule.explanation}  \n*Source:* {explain.rule_source(rule_id)}")

st.subheader("Head-to-head majorities")
smith = md_list(view.smith_set)
st.markdown(
    f"**Condorcet winner:** {md(view.condorcet_winner or 'none')} · **Smith set:** \\{{{smith}\\}}"
    + (f" · **majority winner** (first for more than half): {md(view.majority_winner)}" if view.majority_winner else "")
)
st.caption(explain.CONDORCET)
why.why_row("condorcet", "smith")
denominator = numbers.matrix_denominator(model)
# up to 12 alternatives the heatmap and the graph side by side; beyond, the heatmap takes the width (no graph)
left, right = st.columns(2) if len(names) <= 12 else (st.container(), st.container())
with left:
    st.markdown("**Majority margins** (★ Condorcet winner, ◆ Smith set)")
    order_rule = "copeland" if "copeland" in computed else "borda"  # most head-to-head wins first
    widgets.chart(
        figures.margin_heatmap(
            view.M,
            numbers.format_matrix(view.M, denominator),
            condorcet=view.condorcet_winner,
            smith=view.smith_set,
            order=view.scores.loc[order_rule],
            phone=present.on_a_phone(),
        ),
        key="rules_margins",
        file_name="majority-margins",
        title="Majority margins M[a, b]",
    )
    st.caption(readable.heatmap_note(len(names), labels[order_rule]) + " " + explain.MARGIN)
    widgets.csv_download(view.M, file_name="margins.csv", key="margins_csv", label="Download margins as CSV")
with right:
    st.markdown("**Majority graph**: an arrow a → b when more voters prefer a to b (label: the margin)")
    if len(names) <= 12:
        edge_text = {(a, b): numbers.exact(m, denominator) for a, b, m in view.majority_edges}
        widgets.chart(
            figures.majority_graph(
                names, view.majority_edges, condorcet=view.condorcet_winner, smith=view.smith_set, edge_text=edge_text
            ),
            key="rules_graph",
            file_name="majority-graph",
            title="Majority graph",
        )
        st.caption("Gold: the Condorcet winner. Thick ring: in the Smith set (shown when it is not everything).")
    else:
        st.caption(f"{len(names)} alternatives: the graph would be unreadable; the margins show the same edges.")
if model.kind == COMPARISONS:
    st.caption("P is estimated from comparison counts: see the Population page for each entry's standard error.")
