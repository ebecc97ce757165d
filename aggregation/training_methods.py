"""The fine-tuning methods, as one table (pure data), and the theory next to a job, computed once.

:data:`TRAINING_METHODS` describes every method a fine-tuning job can run: its display name, family,
default β, the job-spec fields it reads beyond the common ones, a newcomer's explanation of what it
optimises and of where theory says it lands, its references (keys of :data:`aggregation.papers.PAPERS`
with the place in the paper) and its theory: which limit of the core it converges to. The worker's
spec validation (``worker/spec.py``), its method classes (``worker/methods.py``) and the Fine-tuning
page all read this table; adding a method is one entry here and one method class in the worker.

:func:`theory` computes what the core predicts for a population and a job's settings
(:class:`TheoryResult`): the limits below, Borda and NBC scores, the Condorcet winner, whether the
maximal lottery is unique and, for the methods that fit or imply one Bradley-Terry reward, how far
that reward is from the population's ``P``. The worker stores it with the job's result
(:meth:`TheoryResult.to_json`); the page reads the stored one (:meth:`TheoryResult.from_json`) and
computes it itself only for the preview before a job exists (and for jobs stored before the theory
was stored whole).

The limits, by key (each key is the name of the core function that computes it, and the key of the
stored JSON):

* ``rlhf_policy``: ``pi_ref exp(r_BT / beta)``, RLHF's optimum and DPO's infinite-data policy
  (Shirali et al., Proposition 4.2: NBC's order under D);
* ``maximal_lottery``: the limit of Nash self-play as beta goes to 0 (Jackpot, Theorem 1 and
  section 5.3);
* ``mpne``: MPNE_k, the symmetric equilibrium of the (k+1)-player game (Cai & Zheng, Definition 4.2,
  Theorem 4.3);
* ``average_reward_policy``: ``pi_ref exp(E_u r_u / beta)`` (user types; Shirali et al., eq. (10));
* ``ipo_policy``: ``pi_ref exp(NBC / beta)`` (IPO's limit, :func:`aggregation.ipo_policy`);
* ``consistent_policy``: the consistent loss's limit (Shirali et al., Proposition 6.1; user types),
  also the limit of the consistent loss of Proposition B.3 (eq. 21;
  :func:`aggregation.rules.heterogeneous.consistent_b3_policy` computes it by minimisation);
* ``random_dictatorship``: the first-place shares, next to the ranked-choice methods;
* ``corrected_dpo_policy``: first-order corrected DPO's limit with the job's alpha, variance, floor
  and clip (Shirali et al., section 5; :func:`aggregation.rules.heterogeneous.corrected_dpo_policy`):
  with the known variance, or with the estimated one as an exact joint model J would give it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from .errors import AggregationError
from .losses import STABLE_LOG_EPS
from .papers import Reference
from .populations.base import Population
from .populations.matrix import as_population
from .rules.alignment import BTMisfit, average_reward_policy, consistent_policy, ipo_policy, nbc, rlhf_policy
from .rules.heterogeneous import VARIANCES, corrected_dpo_policy
from .rules.majority import condorcet_winner
from .rules.registry import RULES
from .rules.rule import RuleParams
from .rules.scoring import borda
from .rules.result import values_of

#: Families of methods: what the training data is.
PAIRWISE, RANKED_CHOICE, SELF_PLAY, FULL_INFORMATION = "pairwise", "ranked choice", "self-play", "full information"
FAMILIES = (PAIRWISE, RANKED_CHOICE, SELF_PLAY, FULL_INFORMATION)

#: ``dispersion`` (Mallows-RMJ-PO): RCPO's own entropy proxy of the reference model (Appendix D) by default; a
#: fixed ``phi`` (0.5 when asked for) stays an option, and is the default for the tabular model (no tokens).
#: The job-spec settings' defaults that the worker fills in and the page's form shows (the worker's
#: ``spec.py`` documents every field). ``learning_rate``: for the built-in tiny model / a checkpoint;
#: ``display_size``: at most this many responses shown per question (fewer when D has fewer).
#: Corrected DPO (Shirali et al., section 5): ``alpha`` 1 (the theory's value; 0 is DPO), ``variance``
#: estimated by the joint model J (section 5.3) or known, the stable log's floor ``log_eps``, and
#: ``correction_clip`` per variance (the authors' code clips the estimated correction at 0.1; the known
#: one needs no clip); J: ``joint_types`` latent types (None: the population's number of types, at most
#: ``MAX_JOINT_TYPES``; the authors' code uses the true number), trained ``joint_steps`` full-batch Adam
#: steps at ``joint_learning_rate`` (the authors' 1e-2).
DEFAULTS = {
    "model": "tiny",
    "dataset_size": 2048,
    "steps": 200,
    "seed": 0,
    "k": 2,
    "samples_per_step": 64,
    "exploration": 0.1,
    "display_size": 4,
    "top_k": 1,
    "dispersion": "entropy",
    "phi": 0.5,
    "learning_rate": {"tiny": 5e-3, "tabular": 5e-2, "checkpoint": 1e-4},
    "contexts": 1,
    "device": "auto",
    "lora": {"r": 8, "alpha": 32, "dropout": 0.1, "target_modules": None},
    "alpha": 1.0,
    "variance": "estimated",
    "log_eps": STABLE_LOG_EPS,
    "correction_clip": {"estimated": 0.1, "known": None},
    "joint_types": None,
    "joint_steps": 1000,
    "joint_learning_rate": 1e-2,
}
#: The largest number of latent types J gets by default (more can be asked for, up to 64).
MAX_JOINT_TYPES = 16
#: Where a job may run: the worker's GPU when it has one, else its CPU ("auto"), or as chosen.
DEVICES = ("auto", "cpu", "cuda")
#: The k of the MPNE_k shown next to a method that has no k of its own (the spec's default k).
DEFAULT_K = DEFAULTS["k"]

#: The limits :func:`theory` can compute, in the order they are listed (see the module docstring).
LIMITS = (
    "rlhf_policy",
    "maximal_lottery",
    "mpne",
    "average_reward_policy",
    "ipo_policy",
    "consistent_policy",
    "random_dictatorship",
    "corrected_dpo_policy",
)
#: The shape of the stored theory (:meth:`TheoryResult.to_json`); results stored before it have none.
THEORY_VERSION = 2


def _pairs_only(settings: Mapping, population: Population) -> bool:
    """MNL-PO with two shown responses and the favourite only is DPO's loss (RCPO, section 2.3)."""
    return settings.get("display_size") == 2 and settings.get("top_k") == 1


def _user_types(settings: Mapping, population: Population) -> bool:
    """The consistent loss has a finite optimum only for user types (Shirali et al., Proposition 6.1)."""
    return population.has_rewards


def correction(settings: Mapping) -> dict:
    """Corrected DPO's settings with the defaults filled in (:data:`DEFAULTS`): ``alpha``, ``variance``,
    ``log_eps`` and ``correction_clip`` (its default depends on the variance; an explicit None in
    ``settings`` switches the clip off)."""
    variance = settings.get("variance") or DEFAULTS["variance"]
    if variance not in VARIANCES:
        raise AggregationError(f"variance must be one of {', '.join(VARIANCES)}; got {variance!r}")
    return {
        "alpha": float(DEFAULTS["alpha"] if settings.get("alpha") is None else settings["alpha"]),
        "variance": variance,
        "log_eps": float(DEFAULTS["log_eps"] if settings.get("log_eps") is None else settings["log_eps"]),
        "correction_clip": (
            settings["correction_clip"] if "correction_clip" in settings else DEFAULTS["correction_clip"][variance]
        ),
    }


@dataclass(frozen=True)
class TrainingMethod:
    """One fine-tuning method.

    ``fields``: the job-spec settings it reads beyond the common ones (``worker/spec.py``).
    ``explanation``: one plain sentence of what it optimises; ``lands_on``: where theory says it lands
    (starts with "Theory:"). ``theory``: the key in :data:`LIMITS` of the limit it converges to (None:
    no closed form), which applies only where ``theory_applies(settings, population)`` says so (when
    given). ``compared_with``: more limits shown next to it. ``needs_voters``: it needs each voter's
    order (rankings or user types), not only ``P``. ``beta_may_be_zero``: β = 0 is a valid setting
    (the KL pull switched off). ``fits_reward``: it fits (RLHF) or implies (DPO) one Bradley-Terry
    reward, so its theory says how far that reward is from ``P``."""

    id: str
    name: str
    family: str
    default_beta: float
    fields: tuple[str, ...]
    explanation: str
    lands_on: str
    references: tuple[Reference, ...]
    theory: str | None
    theory_applies: Callable[[Mapping, Population], bool] | None = field(default=None, repr=False)
    compared_with: tuple[str, ...] = ()
    needs_voters: bool = False
    beta_may_be_zero: bool = False
    fits_reward: bool = False

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise AggregationError(f"training method {self.id!r}: unknown family {self.family!r}")
        unknown = [key for key in (self.theory, *self.compared_with) if key is not None and key not in LIMITS]
        if unknown:
            raise AggregationError(
                f"training method {self.id!r}: unknown limit {unknown[0]!r} (known: {', '.join(LIMITS)})"
            )

    @property
    def self_play(self) -> bool:
        return self.family == SELF_PLAY

    def target(self, settings: Mapping, population: Population) -> str | None:
        """The limit these settings converge to (a key of :data:`LIMITS`), None where theory gives none."""
        if self.theory is None or (self.theory_applies is not None and not self.theory_applies(settings, population)):
            return None
        return self.theory


TRAINING_METHODS: dict[str, TrainingMethod] = {
    m.id: m
    for m in [
        TrainingMethod(
            "dpo",
            "DPO",
            PAIRWISE,
            0.1,
            ("batch_size",),
            "Raises the log-probability of the preferred response against the rejected one in each labelled pair "
            "(a logistic loss on the log-ratio to the reference model; no separate reward model).",
            "Theory: the RLHF / DPO limit π_ref·exp(r/β), r the Bradley–Terry reward of pairs drawn from D. It ranks "
            "like the normalized Borda count under D, which is Borda when D is uniform.",
            (Reference("dpo"), Reference("heterogeneous", "Proposition 4.2")),
            "rlhf_policy",
            fits_reward=True,
        ),
        TrainingMethod(
            "ipo",
            "IPO",
            PAIRWISE,
            0.1,
            ("batch_size",),
            "Pushes each pair's log-ratio gap towards the fixed target 1/(2β) (a squared loss), so no response is "
            "driven all the way to probability 0.",
            "Theory: π_ref·exp(NBC/β), the reference tilted by each response's win rate against D: NBC's order "
            "(Borda's under uniform D), with finite odds even for responses every voter ranks lower.",
            (Reference("ipo"), Reference("heterogeneous", "section 4.2")),
            "ipo_policy",
        ),
        TrainingMethod(
            "rlhf",
            "RLHF",
            PAIRWISE,
            0.1,
            (),
            "Fits a Bradley–Terry reward model on the labelled pairs, then maximises expected reward minus β·KL to "
            "the reference model.",
            "Theory: the same limit as DPO, π_ref·exp(r/β): Borda's order under uniform D, NBC's under D.",
            (Reference("rlhf"), Reference("jackpot", "section 3.1"), Reference("heterogeneous", "Proposition 4.2")),
            "rlhf_policy",
            beta_may_be_zero=True,
            fits_reward=True,
        ),
        TrainingMethod(
            "nash",
            "Nash self-play",
            SELF_PLAY,
            0.01,
            ("samples_per_step", "exploration"),
            "Plays the policy against itself: each sampled response is rewarded by how often voters prefer it to the "
            "policy's other samples (SPO-style), with a small β·KL pull to the reference.",
            "Theory: the maximal lottery (Nash learning from human feedback), the limit as β → 0. It picks the "
            "Condorcet winner when there is one; the mixture of iterates converges, the last iterate may cycle.",
            (Reference("spo"), Reference("jackpot", "Theorem 1, section 5.3, A.8 (Algorithm 1)")),
            "maximal_lottery",
            beta_may_be_zero=True,
        ),
        TrainingMethod(
            "mpne",
            "Multi-player self-play (MPNE_k)",
            SELF_PLAY,
            0.01,
            ("k", "samples_per_step", "exploration"),
            "Self-play in a (k+1)-player game: a sample is rewarded by its chance of beating k other samples of the "
            "policy (rankings: a random voter strictly prefers it to all k; user types: the Plackett–Luce set "
            "comparison of the test-time paper, exact over the types).",
            "Theory: MPNE_k, the policy to deploy when a user sees k samples and keeps the best (its k-sample win rate "
            "is at least k/(k+1)); the limit as β → 0.",
            (Reference("test_time", "Definition 4.2, Theorem 4.3, Appendix D"),),
            "mpne",
            needs_voters=True,
            beta_may_be_zero=True,
        ),
        TrainingMethod(
            "mnl",
            "MNL-PO (ranked choice)",
            RANKED_CHOICE,
            0.1,
            ("batch_size", "display_size", "top_k"),
            "Voters see a few responses drawn from D and name their favourite (or their top k); the loss is the "
            "Plackett–Luce likelihood of those choices.",
            "Theory: with 2 shown responses and the favourite only it is exactly DPO (the RLHF / DPO limit); showing "
            "every response it fits the first-place shares (plurality's order); in between, in between.",
            (Reference("rcpo", "section 3.1, Table 1"),),
            "rlhf_policy",
            theory_applies=_pairs_only,
            compared_with=("random_dictatorship",),
            needs_voters=True,
        ),
        TrainingMethod(
            "mallows",
            "Mallows-RMJ-PO (ranked choice)",
            RANKED_CHOICE,
            0.1,
            ("batch_size", "display_size", "top_k", "dispersion", "phi"),
            "Ranked choices as for MNL-PO, scored by a Mallows model (dispersion φ) centred on the policy's own order.",
            "Theory: no closed form here; it follows the order the voters' ranked choices imply. Compare it with Borda "
            "and with the first-place shares below.",
            (Reference("rcpo", "section 3.2, Table 1, Appendix D"), Reference("mallows_choice")),
            None,
            compared_with=("random_dictatorship",),
            needs_voters=True,
        ),
        TrainingMethod(
            "consistent",
            "Consistent loss",
            FULL_INFORMATION,
            0.1,
            ("batch_size",),
            "Shows each pair to every user type and learns only from pairs that all types agree on (Shirali et al., "
            "Proposition 6.1).",
            "Theory: for user types, π_ref·exp(mean reward/(β·T)) with every type counted once (the average-reward "
            "policy when types weigh the same); on rankings it only pushes down responses that every ranking puts "
            "below another.",
            (Reference("heterogeneous", "section 6, Proposition 6.1"),),
            "consistent_policy",
            theory_applies=_user_types,
            needs_voters=True,
        ),
        TrainingMethod(
            "consistent_b3",
            "Consistent loss (Prop. B.3)",
            FULL_INFORMATION,
            0.1,
            ("batch_size",),
            "Shows each pair to every user type and learns only from pairs that all types agree on, with the loss "
            "−s − I(s) of Proposition B.3 instead of Proposition 6.1's temperature-adjusted DPO.",
            "Theory: the same limit as Proposition 6.1's loss: for user types, π_ref·exp(mean reward/(β·T)) with every "
            "type counted once (eq. 21); its gradient grows like e^{(|U|−1)|h|} against a unanimous vote.",
            (Reference("heterogeneous", "Proposition B.3"),),
            "consistent_policy",
            theory_applies=_user_types,
            needs_voters=True,
        ),
        TrainingMethod(
            "corrected_dpo",
            "First-order corrected DPO",
            PAIRWISE,
            0.1,
            (
                "batch_size",
                "alpha",
                "variance",
                "log_eps",
                "correction_clip",
                "joint_types",
                "joint_steps",
                "joint_learning_rate",
            ),
            "DPO whose likelihood σ(h) gains a second-order term (α/2)·σ''(h)·V for the spread V of the voters' "
            "reward differences; V is estimated from pairs of comparisons labelled by the same annotator (a joint "
            "model J fitted first, Lemma 5.3), or taken known from the population.",
            "Theory: it moves DPO's policy towards the average-reward policy π* to first order: α = 0 is the RLHF / "
            "DPO limit, α = 1 the theory's value. Its own limit (computed here) need not reach π*; with a large "
            "spread and large α the correction can overshoot.",
            (Reference("heterogeneous", "section 5, eqs. (14)-(16), Lemma 5.3"),),
            "corrected_dpo_policy",
            needs_voters=True,
        ),
    ]
}


def training_method(method_id: str) -> TrainingMethod:
    """The method with this id; :class:`AggregationError` naming the known ids otherwise."""
    try:
        return TRAINING_METHODS[method_id]
    except (KeyError, TypeError):
        raise AggregationError(f"method must be one of {', '.join(TRAINING_METHODS)}; got {method_id!r}") from None


# ------------------------------------------------------------------ the theory next to a job
@dataclass(frozen=True)
class TheoryResult:
    """What the core predicts for a population and a job's settings.

    ``policies``: each limit computed, by key of :data:`LIMITS` (in that order), as a distribution over
    ``alternatives``; ``unavailable``: the core's reason for each one it refused (e.g. a sampling
    distribution with zeros for the Bradley-Terry reward). ``target``: the limit the method converges
    to with these settings (None: theory gives none). ``borda`` and ``nbc`` (under the job's D) are
    scores (None if refused, with the reason under ``unavailable``). ``lottery_unique``: whether the
    maximal lottery is the only one (None when it was not computed). ``bt_fit``: for DPO and RLHF, how
    far one Bradley-Terry reward is from ``P`` under D. ``correction``: for corrected DPO, the settings
    its limit was computed with (:func:`correction`)."""

    method: str
    alternatives: list[str]
    beta: float
    k: int
    target: str | None
    policies: dict[str, pd.Series]
    unavailable: dict[str, str]
    borda: pd.Series | None
    nbc: pd.Series | None
    condorcet_winner: str | None
    lottery_unique: bool | None
    bt_fit: BTMisfit | None = None
    correction: dict | None = None

    @property
    def target_policy(self) -> pd.Series | None:
        return self.policies.get(self.target) if self.target else None

    def to_json(self) -> dict:
        """Plain JSON, as a job stores it. The keys of the shape stored before (``borda``, ``nbc``,
        ``rlhf_policy``, ``maximal_lottery``, ``maximal_lottery_unique``, ``average_reward_policy`` and
        ``notes``: the reason for each refused entry, which is null) keep their meaning; ``version``,
        ``method``, ``beta``, ``k``, ``target``, ``condorcet_winner``, ``bt_misfit`` and the other limits
        are added (and ``correction`` for corrected DPO)."""
        out: dict = {
            "version": THEORY_VERSION,
            "method": self.method,
            "beta": self.beta,
            "k": self.k,
            "target": self.target,
            "notes": dict(self.unavailable),
        }
        for key in ("borda", "nbc"):
            values = getattr(self, key)
            out[key] = None if values is None else _plain(values)
        for key in LIMITS:
            if key in self.policies:
                out[key] = _plain(self.policies[key])
            elif key in self.unavailable:
                out[key] = None
        if self.lottery_unique is not None:
            out["maximal_lottery_unique"] = self.lottery_unique
        out["condorcet_winner"] = self.condorcet_winner
        out["bt_misfit"] = None if self.bt_fit is None else self.bt_fit.to_dict()
        if self.correction is not None:
            out["correction"] = dict(self.correction)
        return out

    @classmethod
    def from_json(cls, data, alternatives) -> TheoryResult | None:
        """The theory a job stored (:meth:`to_json`), over ``alternatives``; None when ``data`` is not
        in this shape (a result stored before it, or none): compute it with :func:`theory` then."""
        if not isinstance(data, Mapping) or data.get("version") != THEORY_VERSION:
            return None
        names = list(alternatives)

        def series(values):
            return None if values is None else pd.Series(values, dtype=float).reindex(names)

        notes = dict(data.get("notes") or {})
        return cls(
            method=data["method"],
            alternatives=names,
            beta=float(data["beta"]),
            k=int(data["k"]),
            target=data.get("target"),
            policies={key: series(data[key]) for key in LIMITS if data.get(key) is not None},
            unavailable={key: notes[key] for key in (*LIMITS, "borda", "nbc") if key in notes},
            borda=series(data.get("borda")),
            nbc=series(data.get("nbc")),
            condorcet_winner=data.get("condorcet_winner"),
            lottery_unique=data.get("maximal_lottery_unique"),
            bt_fit=None if data.get("bt_misfit") is None else BTMisfit.from_dict(data["bt_misfit"]),
            correction=data.get("correction"),
        )


def theory(
    population: Population,
    method: str,
    settings: Mapping | None = None,
    *,
    reference: Mapping | None = None,
    with_mpne: bool = True,
) -> TheoryResult:
    """What the core predicts for ``population`` trained with ``method`` and ``settings`` (a job spec
    or the page's form: ``beta`` [the method's default], ``sampling`` [uniform], ``k`` [2],
    ``display_size``, ``top_k``; for corrected DPO ``alpha``, ``variance``, ``log_eps`` and
    ``correction_clip``, defaults by :func:`correction`), with ``reference`` the untrained model's policy
    over the alternatives (None: uniform).

    Computed: the RLHF / DPO limit (with the Bradley-Terry misfit for the methods that fit or imply
    that reward), the maximal lottery, MPNE_k (unless ``with_mpne`` is false and the method is not
    MPNE self-play: it takes about 20 s for 100,000 rankings of 50 alternatives), the average-reward
    policy (user types), the method's own limit and the limits it is compared with; Borda, NBC under
    D and the Condorcet winner. A limit the core refuses for this population is listed under
    ``unavailable`` with the reason; nothing else is caught."""
    population = as_population(population)
    entry = training_method(method)
    settings = dict(settings or {})
    names = list(population.alternatives)
    beta = float(entry.default_beta if settings.get("beta") is None else settings["beta"])
    D = settings.get("sampling")
    k = int(settings.get("k") or DEFAULT_K)
    params = RuleParams(k=k)  # the registry's rules below read k only
    ref = None if reference is None else {a: float(reference[a]) for a in names}

    wanted = ["rlhf_policy", "maximal_lottery"]
    if with_mpne or entry.theory == "mpne":
        wanted.append("mpne")
    if population.has_rewards:
        wanted.append("average_reward_policy")
    wanted += [key for key in (entry.theory, *entry.compared_with) if key is not None and key not in wanted]
    corrected = correction(settings) if "corrected_dpo_policy" in wanted else None  # a validated spec's
    calls = {
        "rlhf_policy": lambda: rlhf_policy(population, beta, D, ref, misfit=entry.fits_reward),
        "maximal_lottery": lambda: RULES["maximal_lottery"].compute(population, params),
        "mpne": lambda: RULES["mpne"].compute(population, params),
        "average_reward_policy": lambda: average_reward_policy(population, beta, ref),
        "ipo_policy": lambda: ipo_policy(population, beta, D, ref),
        "consistent_policy": lambda: consistent_policy(population, beta, ref),
        "random_dictatorship": lambda: RULES["random_dictatorship"].compute(population, params),
        "corrected_dpo_policy": lambda: corrected_dpo_policy(
            population,
            beta,
            corrected["alpha"],
            D,
            ref,
            variance=corrected["variance"],
            eps=corrected["log_eps"],
            clip=corrected["correction_clip"],
        ),
    }
    raw, policies, unavailable = {}, {}, {}
    for key in sorted(wanted, key=LIMITS.index):
        try:
            raw[key] = calls[key]()
        except AggregationError as exc:
            unavailable[key] = str(exc)
        else:
            policies[key] = values_of(raw[key]).reindex(names).astype(float)
    scores = {}
    for key, compute in (("borda", lambda: borda(population)), ("nbc", lambda: nbc(population, D))):
        try:
            scores[key] = compute().reindex(names).astype(float)
        except AggregationError as exc:
            scores[key] = None
            unavailable[key] = str(exc)
    lottery = raw.get("maximal_lottery")
    fit = raw["rlhf_policy"].certificate.misfit if "rlhf_policy" in raw else None
    return TheoryResult(
        method=entry.id,
        alternatives=names,
        beta=beta,
        k=k,
        target=entry.target(settings, population),
        policies=policies,
        unavailable=unavailable,
        borda=scores["borda"],
        nbc=scores["nbc"],
        condorcet_winner=condorcet_winner(population),
        lottery_unique=None if lottery is None else bool(lottery.certificate.unique),
        bt_fit=fit,
        correction=corrected,
    )


def _plain(series: pd.Series) -> dict:
    return {str(k): float(v) for k, v in series.items()}
