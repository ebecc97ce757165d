"""The theory next to a job, computed once by the core (:func:`aggregation.training_methods.theory`).

A finished job carries the theory its worker computed with the job's own β, D and untrained model as
π_ref (the result's ``theory``, read by :meth:`aggregation.TheoryResult.from_json`). The page computes
it itself only for the preview before a job exists (uniform π_ref) and for a job stored before the
theory was stored whole (its result's ``theory`` has the older, smaller shape).
"""

from __future__ import annotations

import streamlit as st

from aggregation import TheoryResult, game_affordable, population_from_dict
from aggregation.training_methods import DEFAULT_K, theory

from ..compute import HASH_FUNCS

#: The settings of corrected DPO that its limit reads (:func:`aggregation.training_methods.correction`).
CORRECTION_KEYS = ("alpha", "variance", "log_eps", "correction_clip")


@st.cache_data(hash_funcs=HASH_FUNCS, max_entries=64, show_spinner="Computing the theory for this population…")
def computed(
    model,
    method: str,
    beta: float,
    sampling: tuple | None,
    reference: tuple | None,
    k: int,
    display_size: int | None,
    top_k: int | None,
    with_mpne: bool,
    correction: tuple = (),
) -> TheoryResult:
    """:func:`aggregation.training_methods.theory`, cached: ``sampling`` and ``reference`` are D and π_ref
    in the order of the alternatives (None: uniform); ``correction``: corrected DPO's settings as sorted
    (key, value) pairs."""
    names = list(model.alternatives)
    settings = {
        "beta": beta,
        "sampling": None if sampling is None else dict(zip(names, sampling)),
        "k": k,
        "display_size": display_size,
        "top_k": top_k,
        **dict(correction),
    }
    return theory(
        model,
        method,
        settings,
        reference=None if reference is None else dict(zip(names, reference)),
        with_mpne=with_mpne,
    )


def _computed(model, spec: dict, reference: dict | None, with_mpne: bool) -> TheoryResult:
    names = list(model.alternatives)
    D = spec.get("sampling")
    correction = tuple(sorted((key, spec[key]) for key in CORRECTION_KEYS if key in spec))
    return computed(
        model,
        spec["method"],
        float(spec["beta"]),
        None if D is None else tuple(float(D[a]) for a in names),
        None if reference is None else tuple(float(reference[a]) for a in names),
        int(spec.get("k") or DEFAULT_K),
        spec.get("display_size"),
        spec.get("top_k"),
        with_mpne,
        correction,
    )


def preview(model, method: str, settings: dict) -> TheoryResult:
    """Where theory says ``method`` lands with the form's ``settings`` (β positive, k valid), before any
    job: uniform π_ref, and MPNE_k only when the core's game budget allows it
    (:func:`aggregation.game_affordable`) or the method is MPNE self-play."""
    k = settings.get("k") or DEFAULT_K
    return _computed(model, {"method": method, **settings, "k": k}, None, with_mpne=game_affordable(model, k))


@st.cache_resource(max_entries=16, show_spinner=False)
def job_population(job_id: str, _spec: dict):
    """The population a job was trained on (parsed once per job: a job's spec never changes)."""
    return population_from_dict(_spec["population"])


def of_job(model, spec: dict, result: dict) -> TheoryResult:
    """The theory stored with a finished job's result, or (a job stored before the theory was stored
    whole) the core's, computed here for the job's population, settings and untrained model."""
    stored = TheoryResult.from_json(result.get("theory"), result["alternatives"])
    return stored if stored is not None else _computed(model, spec, result["reference_policy"], with_mpne=True)
