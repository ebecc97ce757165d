"""Properties: which rule keeps which promise on the current population, with a counterexample when it does not."""
import pandas as pd
import streamlit as st

from aggregation import AXIOMS, AggregationError, properties_affordable
from ui import compute, explain, shell, state, widgets
from ui.text import md

shell.page_header(
    "Properties",
    "Social choice theory asks of a rule a few promises: pick the majority's favourite, pick the alternative "
    "that wins every head-to-head vote, never pick an alternative everybody likes less than another, do not "
    "change because an irrelevant alternative leaves or a near-copy joins. Each cell below checks one promise "
    "of one rule **on this population**.", url_path="properties")

model = state.population()
D = state.sampling()
controls = st.columns([1, 1, 3], gap="medium")
beta = widgets.beta_input(container=controls[0])
k = widgets.k_input(container=controls[1])
with controls[2]:
    st.caption(explain.PROPERTY_VERSIONS)

sampling = None if D is None else tuple(D.to_numpy())
STATUS = {"pass": "✔ pass", "fail": "✘ fail", "not applicable": "– n/a"}
PENDING = "… not checked"
#: Grid column titles (the full names are in each column's tooltip and in the definitions below).
SHORT = {"majority": "Majority", "condorcet": "Condorcet", "pareto": "Pareto", "iia": "Irrelevant alternatives",
         "clones": "Clones"}
rules = list(compute.RULE_KEYS)
labels = {r: explain.RULES[r].label for r in rules}
waiting = [r for r in rules if not properties_affordable(model, r, k)
           and not state.requested("properties", (model.fingerprint, k))]

results, errors = {}, {}
with st.spinner("Checking every property…"):
    for rule_id in rules:
        if rule_id in waiting:
            continue
        try:
            results[rule_id] = compute.property_checks(model, rule_id, float(beta), sampling, int(k))
        except AggregationError as exc:
            errors[rule_id] = str(exc)

if waiting:
    if widgets.on_request(
            "properties", (model.fingerprint, k), button_key="properties_run",
            label="Check the remaining rules",
            explanation="Checking a property re-runs the rule about twice per alternative (each one removed, each "
                        "one cloned); on this population that takes a while for "
                        + ", ".join(labels[r] for r in waiting) + ". They are checked when you ask."):
        st.rerun()
for rule_id, message in errors.items():     # the rule itself cannot be computed here (e.g. a D with zeros)
    st.caption(f"**{labels[rule_id]}** cannot be checked on this population: {md(message)}.")

grid = pd.DataFrame(PENDING, index=[labels[r] for r in rules], columns=[SHORT[a] for a in AXIOMS])
rows = []
for rule_id in errors:
    grid.loc[labels[rule_id]] = STATUS["not applicable"]
for rule_id, checks in results.items():
    for c in checks:
        grid.at[labels[rule_id], SHORT[c.axiom]] = STATUS[c.status]
        rows.append({"rule": labels[rule_id], "property": AXIOMS[c.axiom].name, "version": c.version,
                     "status": c.status, "explanation": c.message})


def colour(value: str) -> str:
    if value.startswith("✘"):
        return "background-color: rgba(213,94,0,0.22); font-weight: 700"
    if value.startswith("✔"):
        return "background-color: rgba(0,158,115,0.16)"
    return "color: #777"


widgets.table(grid.style.map(colour), key="properties_grid", width="stretch", height="content",
              column_config={SHORT[a]: st.column_config.TextColumn(SHORT[a], help=AXIOMS[a].name) for a in AXIOMS})
report = pd.DataFrame(rows, columns=["rule", "property", "version", "status", "explanation"])
widgets.csv_download(report, file_name="properties.csv", key="properties_csv", index=False,
                     label="Download every check with its explanation (CSV)")

failures = report[report["status"] == "fail"]
st.subheader(f"Counterexamples on this population ({len(failures)})")
if failures.empty:
    st.markdown("No rule checked so far breaks a promise on this population.")
for _, row in failures.iterrows():
    with st.expander(f"{row['rule']} — {row['property']}", icon=":material/cancel:"):
        st.markdown(md(row["explanation"]))
        st.caption(f"Checked in its {row['version']} version.")

passes = report[report["status"] != "fail"]
with st.expander(f"Why the other cells pass or do not apply ({len(passes)})"):
    for _, row in passes.iterrows():
        st.markdown(f"- **{row['rule']} — {row['property']}** ({STATUS[row['status']]}): {md(row['explanation'])}")

with st.expander("The properties, defined"):
    for axiom in AXIOMS.values():
        st.markdown(f"**{axiom.name}.** Winner version: {axiom.winner_version} Probabilistic version: "
                    f"{axiom.probabilistic_version}")
    st.caption("Independence of clones: for rankings the clone sits right next to the original in every ranking, "
               "half of the voters putting it just above and half just below; for user types it gets exactly the "
               "original's rewards. The sampling distribution D, if set, splits the original's probability "
               "between the two.")
