"""The training methods: what data each draws from the population and the loss of one step.

What each method is (name, family, default beta, the spec fields it reads, its theory) is the
core's table, :data:`aggregation.TRAINING_METHODS`; here each method id gets the class that trains
it (:func:`trains`), and a method of the table without one is refused at import.

Every method sees the policy only through the sequence log-probabilities of the K candidate
responses (``logp``, with gradient) and of the reference model (``logp_ref``); the losses
themselves live in :mod:`worker.losses`.

* ``dpo``, ``ipo``: offline, on pairs (:func:`worker.data.pair_dataset`).
* ``consistent``, ``consistent_b3``: offline, on pairs with one label per user type (Propositions
  6.1 and B.3 of Shirali et al.).
* ``corrected_dpo``: offline, on pairs of comparisons labelled by the same annotator
  (:func:`worker.data.paired_dataset`), first-order corrected DPO (Shirali et al., section 5). With
  ``variance: "estimated"`` the joint model J (:mod:`worker.joint`) is fitted first and each step
  reads V from it by eq. (16) at the policy's current h; with ``"known"`` V is
  :func:`aggregation.reward_variance` of the user types.
* ``mnl``, ``mallows``: offline, on ranked choices among ``display_size`` shown responses
  (RCPO, Table 1). Mallows-RMJ-PO's dispersion is the spec's ``phi``, or with ``dispersion:
  "entropy"`` one value per row from RCPO Appendix D's entropy proxy on the reference model.
* ``rlhf``: a Bradley-Terry reward fitted on the pairs (one reward per candidate response,
  by Newton's method: the reward model of a fixed response set is exactly that vector), then
  the KL-regularised policy objective with the expectation over candidates computed exactly.
* ``nash``: self-play in the style of SPO (Swamy et al., ICML 2024, Algorithm 1): each step
  samples responses from the policy (a share ``exploration`` of them uniformly, as in the
  Jackpot paper's appendix A.8, with importance weights), the reward of a sample is its
  average preference probability against the other samples under the dataset's empirical
  preference matrix, and a leave-one-out REINFORCE step (plus ``beta`` KL to the reference)
  follows. The output is both the last iterate and the uniform mixture of iterates.
* ``mpne``: the same loop for the (k+1)-player game of Cai & Zheng (arXiv 2601.08777,
  Definition 4.2): the reward of a sample is the probability that it beats k other samples,
  averaged over several random groups of k. Rankings: the share of a sample of
  ``dataset_size`` voters' rankings that *strictly* prefer it to all k (the project's
  convention for rankings). User types: the paper's Plackett-Luce set comparison (section 2.1),
  ``E_i[w_i(y) / (w_i(y) + sum of the others' w_i)]``, exact over the types (no voters drawn).
"""

from __future__ import annotations

import numpy as np
import torch

from aggregation import USER_TYPES, AggregationError, entropy_phi_proxy, preference_variance, reward_variance
from aggregation.training_methods import TRAINING_METHODS

from . import losses
from .data import (
    PlackettLuceJudges,
    empirical_matrix,
    pair_dataset,
    paired_dataset,
    ranked_choice_dataset,
    ranking_sample,
    unanimity_dataset,
)
from .joint import fit_joint_model

MPNE_GROUPS_PER_SAMPLE = 32
MPNE_MAX_CELLS = 50_000_000  # bound on (voters or types) x samples x groups x k in one reward evaluation


def fit_bradley_terry(W: np.ndarray, l2: float = 1e-6, iterations: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood Bradley-Terry rewards from a win-count matrix ``W[a, b]`` (a small
    ridge ``l2`` keeps them finite when an alternative never loses), centred, with standard
    errors from the observed Fisher information (pseudo-inverse on the centred subspace)."""
    m = W.shape[0]
    N = W + W.T
    r = np.zeros(m)

    def objective(x):
        d = x[:, None] - x[None, :]
        return float((W * np.logaddexp(0.0, -d)).sum() + 0.5 * l2 * N.sum() * (x @ x))

    for _ in range(iterations):
        S = 1.0 / (1.0 + np.exp(-(r[:, None] - r[None, :])))
        grad = -(W - N * S).sum(1) + l2 * N.sum() * r
        H = np.diag((N * S * (1 - S)).sum(1)) - N * S * (1 - S) + l2 * N.sum() * np.eye(m)
        step = np.linalg.solve(H, grad)
        t, f0 = 1.0, objective(r)
        while objective(r - t * step) > f0 + 1e-12 and t > 1e-8:
            t /= 2
        r = r - t * step
        if np.abs(t * step).max() < 1e-10:
            break
    r -= r.mean()
    S = 1.0 / (1.0 + np.exp(-(r[:, None] - r[None, :])))
    fisher = np.diag((N * S * (1 - S)).sum(1)) - N * S * (1 - S)
    se = np.sqrt(np.clip(np.diag(np.linalg.pinv(fisher)), 0.0, None))
    return r, se


#: The class that trains each method id (filled by :func:`trains`).
METHOD_CLASSES: dict[str, type] = {}


def trains(*method_ids: str):
    """Class decorator: this class trains these methods (ids of :data:`aggregation.TRAINING_METHODS`)."""

    def register(cls):
        for method_id in method_ids:
            if method_id not in TRAINING_METHODS:
                raise AggregationError(f"{cls.__name__} trains {method_id!r}, which is not in TRAINING_METHODS")
            METHOD_CLASSES[method_id] = cls
        return cls

    return register


class Method:
    """Base class: holds the data; ``loss`` gives one step's loss and a dict of numbers to report.
    ``self_play``: the method samples from the policy itself each step (its family in the table);
    the trainer then passes the current policy to :meth:`loss` and reports the mixture of iterates."""

    def __init__(self, spec: dict, population, alternatives: list[str], device: torch.device):
        self.spec = spec
        self.self_play = TRAINING_METHODS[spec["method"]].self_play
        self.alternatives = alternatives
        self.m = len(alternatives)
        self.device = device
        self.beta = spec["beta"]
        self.rng = np.random.default_rng([spec["seed"], 1])  # the step-level stream (batches, samples)
        self.batch_size = spec.get("batch_size")

    #: Tensors of alternative indices, and other per-row tensors, of an offline method: with several prompts
    #: (the tabular model's ``contexts``) every prompt's rows are stacked into one method over the flattened
    #: ``(contexts * K)`` table, indices offset by ``context * K`` (:meth:`stacked`): one loss call per step.
    STACK_INDEX: tuple[str, ...] = ()
    STACK_ROWS: tuple[str, ...] = ()

    @classmethod
    def stacked(cls, methods: list["Method"], K: int) -> "Method | None":
        """One method over every prompt's rows (None: this method cannot be stacked, e.g. it reads the whole
        policy of a prompt, as RLHF and self-play do)."""
        if not cls.STACK_INDEX:
            return None
        import copy

        out = copy.copy(methods[0])
        for name in cls.STACK_INDEX:
            setattr(out, name, torch.cat([getattr(m, name) + c * K for c, m in enumerate(methods)]))
        for name in cls.STACK_ROWS:
            value = getattr(methods[0], name, None)
            if isinstance(value, torch.Tensor) and value.dim() >= 1:
                setattr(out, name, torch.cat([getattr(m, name) for m in methods]))
        return out

    def prepare(self, policy) -> None:
        """Called once with the policy (a :class:`worker.models.CandidatePolicy`) before training."""

    def dataset(self) -> dict:
        raise NotImplementedError

    def loss(self, logp: torch.Tensor, logp_ref: torch.Tensor, policy: torch.Tensor | None):
        raise NotImplementedError

    def extras(self, reference_policy: np.ndarray) -> dict:
        return {}

    def _rows(self, n: int) -> torch.Tensor | slice:
        if self.batch_size is None or self.batch_size >= n:
            return slice(None)
        return torch.as_tensor(self.rng.choice(n, size=self.batch_size, replace=False), device=self.device)

    def _t(self, x) -> torch.Tensor:
        return torch.as_tensor(np.array(x), device=self.device)  # a copy: torch wants writable memory


@trains("dpo", "ipo")
class PairMethod(Method):
    """DPO and IPO on pairs (chosen, rejected)."""

    STACK_INDEX = ("chosen", "rejected")

    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.data = pair_dataset(population, spec["dataset_size"], spec["sampling"], spec["seed"])
        self.chosen, self.rejected = self._t(self.data.chosen), self._t(self.data.rejected)
        self.fn = losses.dpo_loss if spec["method"] == "dpo" else losses.ipo_loss

    def dataset(self):
        return {
            "kind": "pairs",
            "rows": len(self.data.chosen),
            "preference_matrix": empirical_matrix(self.data.wins(), self.alternatives),
        }

    def loss(self, logp, logp_ref, policy):
        lr = logp - logp_ref
        rows = self._rows(len(self.chosen))
        return self.fn(lr[self.chosen[rows]], lr[self.rejected[rows]], self.beta), {}

    def extras(self, reference_policy):
        """The exact optimum of this loss on this dataset (DPO only): ``beta * lr`` equals the
        Bradley-Terry maximum-likelihood reward of the dataset, up to a constant."""
        if self.spec["method"] != "dpo":
            return {}
        return {"dataset_optimum": _tilted(self.data.wins(), reference_policy, self.beta, self.alternatives)}


@trains("consistent", "consistent_b3")
class ConsistentMethod(Method):
    """The consistent losses of Shirali et al.: Proposition 6.1 (``consistent``) and B.3 (``consistent_b3``)."""

    STACK_INDEX, STACK_ROWS = ("a", "b"), ("votes",)

    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.data = unanimity_dataset(population, spec["dataset_size"], spec["sampling"], spec["seed"])
        self.a, self.b = self._t(self.data.a), self._t(self.data.b)
        self.votes = self._t(self.data.votes_for_a)
        self.fn = losses.consistent_loss if spec["method"] == "consistent" else losses.consistent_b3_loss

    def dataset(self):
        d = self.data
        return {
            "kind": "pairs labelled by every user type",
            "rows": len(d.a),
            "user_types": d.n_types,
            "unanimous_rows": int(((d.votes_for_a == 0) | (d.votes_for_a == d.n_types)).sum()),
            "preference_matrix": empirical_matrix(d.wins(self.m), self.alternatives),
        }

    def loss(self, logp, logp_ref, policy):
        lr = logp - logp_ref
        rows = self._rows(len(self.a))
        return self.fn(lr[self.a[rows]], lr[self.b[rows]], self.votes[rows], self.data.n_types, self.beta), {}


@trains("corrected_dpo")
class CorrectedDPOMethod(Method):
    """First-order corrected DPO (Shirali et al., section 5) on paired comparisons."""

    STACK_INDEX, STACK_ROWS = ("chosen", "rejected"), ("V", "j1", "j2")

    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.data = paired_dataset(population, spec["dataset_size"], spec["sampling"], spec["seed"])
        chosen, rejected = self.data.chosen.reshape(-1), self.data.rejected.reshape(-1)
        self.chosen, self.rejected = self._t(chosen), self._t(rejected)
        self.alpha, self.eps, self.clip = spec["alpha"], spec["log_eps"], spec["correction_clip"]
        self.estimated = spec["variance"] == "estimated"
        if self.estimated:
            self.fit = fit_joint_model(
                self.data, self.m, spec["joint_types"], spec["joint_steps"], spec["joint_learning_rate"], spec["seed"]
            )
            j1, j2 = self.fit.tables()
            self.j1, self.j2 = self._t(j1[chosen, rejected]), self._t(j2[chosen, rejected])
            exact = preference_variance(population).to_numpy(float) if population.has_full_rankings else None
            self.variance_summary = self.fit.summary(alternatives, exact)
        else:
            V = reward_variance(population).to_numpy(float)
            self.V = self._t(V[chosen, rejected])
            self.variance_summary = {
                "source": "known: Var_u[(r_u(a) - r_u(b)) / T] over the user types",
                "alternatives": list(alternatives),
                "reward_variance": V.tolist(),
            }

    def dataset(self):
        return {
            "kind": "pairs of comparisons, each pair labelled by one annotator",
            "rows": len(self.data.chosen),
            "comparisons": int(self.data.chosen.size),
            "preference_matrix": empirical_matrix(self.data.wins(), self.alternatives),
            "variance": self.variance_summary,
            "note": "two comparisons per annotator (not independent when the annotator is a type, so the standard "
            "errors are approximate)",
        }

    def loss(self, logp, logp_ref, policy):
        lr = logp - logp_ref
        rows = self._rows(len(self.chosen))
        c, r = lr[self.chosen[rows]], lr[self.rejected[rows]]
        if self.estimated:
            V = losses.joint_variance(self.j1[rows], self.j2[rows], self.beta * (c - r))
        else:
            V = self.V[rows]
        return losses.corrected_dpo_loss(c, r, V, self.beta, self.alpha, self.eps, self.clip), {}


@trains("mnl", "mallows")
class RankedChoiceMethod(Method):
    """MNL-PO and Mallows-RMJ-PO on ranked choices (RCPO, Table 1)."""

    PROXY_CHUNK = 65_536  # rows per call of the entropy proxy (bounds its (rows, K, T) gather)
    STACK_INDEX, STACK_ROWS = ("shown",), ("top", "phi")

    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.data = ranked_choice_dataset(
            population, spec["dataset_size"], spec["sampling"], spec["display_size"], spec["top_k"], spec["seed"]
        )
        self.shown, self.top = self._t(self.data.shown), self._t(self.data.top)
        self.phi = spec.get("phi")  # fixed dispersion; replaced per row by prepare() for the proxy
        self.proxy: dict | None = None  # what the entropy proxy found, for the dataset summary

    def prepare(self, policy) -> None:
        """With ``dispersion: "entropy"``: one phi per row by RCPO Appendix D's proxy on the reference model."""
        if self.spec["method"] != "mallows" or self.spec.get("dispersion") != "entropy":
            return
        H, lengths, vocabulary = policy.reference_token_entropies()
        chunks = [self.data.shown[i : i + self.PROXY_CHUNK] for i in range(0, len(self.data.shown), self.PROXY_CHUNK)]
        phi = np.concatenate([entropy_phi_proxy(H[rows], lengths[rows], vocabulary) for rows in chunks])
        self.phi = torch.as_tensor(phi, device=self.device)
        weight = -np.log(phi)
        self.proxy = {
            "source": "entropy proxy of the reference model (RCPO Appendix D)",
            "vocabulary": vocabulary,
            "phi_mean": float(phi.mean()),
            "phi_min": float(phi.min()),
            "phi_max": float(phi.max()),
            "neg_log_phi_mean": float(weight.mean()),
            "response_entropy": {a: float(H[i, : lengths[i]].sum()) for i, a in enumerate(self.alternatives)},
        }

    def dataset(self):
        out = {
            "kind": f"top-{self.spec['top_k']} of {self.spec['display_size']} shown responses",
            "rows": len(self.data.shown),
            "preference_matrix": empirical_matrix(self.data.wins(self.m), self.alternatives),
            "note": "pairs implied by the ranked lists (not independent, so the standard errors are approximate)",
        }
        if self.spec["method"] == "mallows":
            out["dispersion"] = self.proxy or {"source": "fixed", "phi": self.spec["phi"]}
        return out

    def loss(self, logp, logp_ref, policy):
        lr = logp - logp_ref
        rows = self._rows(len(self.shown))
        shown_lr, top = lr[self.shown[rows]], self.top[rows]
        if self.spec["method"] == "mnl":
            return losses.mnl_loss(shown_lr, top, self.beta), {}
        phi = self.phi[rows] if isinstance(self.phi, torch.Tensor) else self.phi
        return losses.mallows_rmj_loss(shown_lr, top, self.beta, phi), {}


@trains("rlhf")
class RLHFMethod(Method):
    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.data = pair_dataset(population, spec["dataset_size"], spec["sampling"], spec["seed"])
        self.reward, self.reward_se = fit_bradley_terry(self.data.wins())
        self.reward_t = self._t(self.reward).float()

    def dataset(self):
        return {
            "kind": "pairs",
            "rows": len(self.data.chosen),
            "preference_matrix": empirical_matrix(self.data.wins(), self.alternatives),
        }

    def loss(self, logp, logp_ref, policy):
        return losses.kl_regularized_policy_loss(logp, logp_ref, self.reward_t, self.beta), {}

    def extras(self, reference_policy):
        out = {
            "reward_model": {
                "reward": dict(zip(self.alternatives, self.reward.tolist())),
                "standard_errors": dict(zip(self.alternatives, self.reward_se.tolist())),
                "note": "Bradley-Terry maximum likelihood on the dataset, centred",
            }
        }
        if self.beta > 0:  # beta = 0: no KL pull, the optimum is the reward's argmax (no tilted policy)
            out["dataset_optimum"] = _tilted(self.data.wins(), reference_policy, self.beta, self.alternatives)
        return out


class SelfPlayMethod(Method):
    """Shared loop of the self-play methods; subclasses define the reward of the samples."""

    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.n = spec["samples_per_step"]
        self.eps = spec["exploration"]
        self.mixture_sum = np.zeros(self.m)
        self.iterates = 0

    def rewards(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def loss(self, logp, logp_ref, policy):
        p = policy.detach().cpu().double().numpy()
        self.mixture_sum += p
        self.iterates += 1
        mu = (1 - self.eps) * p + self.eps / self.m
        mu /= mu.sum()
        y = self.rng.choice(self.m, size=self.n, p=mu)
        r = self.rewards(y)
        baseline = (r.sum() - r) / (self.n - 1)  # leave-one-out
        log_p = torch.log_softmax(logp, -1)[self._t(y)]
        weights = self._t(p[y] / mu[y]).to(log_p.dtype)
        advantage = self._t(r - baseline).to(log_p.dtype)
        loss = losses.policy_gradient_loss(log_p, advantage, weights)
        if self.beta > 0:
            loss = loss + self.beta * losses.restricted_kl(logp, logp_ref)
        return loss, {"mean_reward": float(r.mean())}

    def mixture(self) -> np.ndarray:
        return self.mixture_sum / max(self.iterates, 1)


@trains("nash")
class NashMethod(SelfPlayMethod):
    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.data = pair_dataset(population, spec["dataset_size"], spec["sampling"], spec["seed"])
        self.summary = empirical_matrix(self.data.wins(), alternatives)
        self.P = np.asarray(self.summary["matrix"])

    def dataset(self):
        return {"kind": "pairs", "rows": len(self.data.chosen), "preference_matrix": self.summary}

    def rewards(self, y):
        P = self.P[y][:, y]  # P[y_i, y_j]
        return (P.sum(1) - np.diag(P)) / (len(y) - 1)


@trains("mpne")
class MPNEMethod(SelfPlayMethod):
    def __init__(self, spec, population, alternatives, device):
        super().__init__(spec, population, alternatives, device)
        self.k = spec["k"]
        if population.kind == USER_TYPES:
            self.sample, self.judges = None, PlackettLuceJudges.of(population)
        else:
            self.sample, self.judges = ranking_sample(population, spec["dataset_size"], spec["seed"]), None

    def dataset(self):
        if self.sample is None:
            return {
                "kind": "no data drawn: each sample's reward is its exact Plackett-Luce probability of beating "
                "the others, averaged over the user types",
                "rows": len(self.judges.shares),
            }
        return {
            "kind": "voters' full rankings",
            "rows": len(self.sample.levels),
            "preference_matrix": empirical_matrix(self.sample.wins(self.m), self.alternatives),
        }

    def rewards(self, y):
        n, k = len(y), self.k
        judges = len(self.sample.levels) if self.sample is not None else len(self.judges.shares)
        G = max(1, min(MPNE_GROUPS_PER_SAMPLE, MPNE_MAX_CELLS // (judges * n * k)))
        keys = self.rng.random((n, G, n))
        keys[np.arange(n), :, np.arange(n)] = np.inf  # never one's own sample
        others = np.argsort(keys, axis=2)[:, :, :k]  # k distinct other samples per group
        if self.sample is not None:
            rates = self.sample.strictly_best_rate(np.repeat(y, G), y[others].reshape(n * G, k))
        else:
            rates = self.judges.beats_rate(np.repeat(y, G), y[others].reshape(n * G, k))
        return rates.reshape(n, G).mean(1)


_UNTRAINED = [m for m in TRAINING_METHODS if m not in METHOD_CLASSES]
if _UNTRAINED:
    raise AggregationError(f"no worker class trains {', '.join(_UNTRAINED)} (see worker.methods.trains)")


def make_method(spec: dict, population, alternatives: list[str], device: torch.device) -> Method:
    return METHOD_CLASSES[spec["method"]](spec, population, alternatives, device)


def _tilted(W: np.ndarray, reference_policy: np.ndarray, beta: float, alternatives: list[str]) -> dict:
    r, se = fit_bradley_terry(W)
    logits = np.log(reference_policy) + r / beta
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return {
        "reward": dict(zip(alternatives, r.tolist())),
        "policy": dict(zip(alternatives, p.tolist())),
        "note": "reference policy tilted by exp(reward / beta), reward = Bradley-Terry MLE of this dataset",
    }
