"""The policy: a causal language model with a LoRA adapter, read as a distribution over the
population's alternatives.

Set-up, as in the colour experiment of the Jackpot paper (Maura-Rivero et al., arXiv
2501.19266, section 5): one fixed prompt ending in "... My favourite colour is", and one
candidate response per alternative (its name, then the end-of-sequence token). The policy's
probability of a response is the exact product of its token probabilities given the prompt;
the policy *over the alternatives* is these sequence probabilities normalised over the
candidates, and ``outside_mass`` is what the model puts on every other continuation.

Models:

* ``"tiny"``: a random-initialised GPT-2 (2 layers, 64 dimensions, 2 heads, no dropout)
  over a word-level vocabulary built in process from the prompt and the alternatives' names;
  nothing is downloaded; for CPUs and tests.
* anything else: the name of a transformers checkpoint in the operator's model folders
  (``AGGREGATION_MODEL_DIRS``, :mod:`worker.catalog`), loaded from that folder only. Nothing is
  ever downloaded (``local_files_only``); a name this worker does not hold, or a checkpoint that
  does not load, fails with a message that names the model and nothing else (no path, no file
  content: the loader's own words go to the trainer's log on the worker).

The reference policy is the same network with the adapter switched off (LoRA's ``B`` starts
at zero, so the policy starts equal to the reference).
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import torch

# No model-hub downloads, ever: set before transformers / huggingface_hub are first imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

TINY = "tiny"
TABULAR = "tabular"
TINY_LAYERS, TINY_DIM, TINY_HEADS = 2, 64, 2
SPECIALS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]
TINY_LORA_TARGETS = ["c_attn", "c_proj", "c_fc", "lm_head"]


class ModelUnavailable(RuntimeError):
    """The requested model cannot be loaded on this machine (message says why)."""


def render_prompt(template: str, alternatives: list[str]) -> str:
    return template.replace("{options}", ", ".join(alternatives))


def pick_device(requested: str) -> torch.device:
    """``auto``: CUDA when ``torch.cuda.is_available()``, else CPU."""
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailable(
            "device 'cuda' was requested but this worker has no usable CUDA GPU "
            "(torch.cuda.is_available() is False); use device 'auto' or 'cpu'"
        )
    if requested == "cpu":
        return torch.device("cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# ------------------------------------------------------------------ tokenizers and models
def build_word_tokenizer(texts: list[str]):
    """A word-level tokenizer (split on whitespace) whose vocabulary is every word of ``texts``."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    words = list(dict.fromkeys(w for t in texts for w in t.split()))
    vocab = {w: i for i, w in enumerate(SPECIALS + [w for w in words if w not in SPECIALS])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single="[BOS] $A", special_tokens=[("[BOS]", vocab["[BOS]"])])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="[BOS]", eos_token="[EOS]", pad_token="[PAD]", unk_token="[UNK]"
    )


def build_tiny_model(vocab_size: int, n_positions: int, seed: int):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    cfg = GPT2Config(
        vocab_size=vocab_size,
        n_positions=n_positions,
        n_embd=TINY_DIM,
        n_layer=TINY_LAYERS,
        n_head=TINY_HEADS,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        tie_word_embeddings=False,
        bos_token_id=SPECIALS.index("[BOS]"),
        eos_token_id=SPECIALS.index("[EOS]"),
        pad_token_id=SPECIALS.index("[PAD]"),
    )
    return GPT2LMHeadModel(cfg)


def load_pretrained(name: str, model_dirs=None):
    """Tokenizer and causal LM of the model ``name`` in the operator's model folders (``model_dirs``,
    default: this worker's ``AGGREGATION_MODEL_DIRS``); never downloads. Refusals name the model only."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .catalog import model_path
    from .config import WorkerConfig

    folder = model_path(name, WorkerConfig.from_env().model_dirs if model_dirs is None else model_dirs)
    if folder is None:
        raise ModelUnavailable(
            f"model {name!r} is not in this worker's model folders (AGGREGATION_MODEL_DIRS); "
            "only the models listed on the Fine-tuning page can be trained (nothing is downloaded)"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - the loader's words may quote files or paths: the log only
        print(f"loading model {name!r} from {folder} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        raise ModelUnavailable(
            f"model {name!r} could not be loaded ({type(exc).__name__}); the trainer's log on the "
            "worker has the details"
        ) from None
    if tokenizer.eos_token_id is None:
        raise ModelUnavailable(
            f"model {name!r}: its tokenizer has no end-of-sequence token, so a response's "
            "probability cannot be read as a complete sequence"
        )
    return tokenizer, model


# ------------------------------------------------------------------ the policy
@dataclass
class PolicyInfo:
    model: str
    parameters: int
    trainable_parameters: int
    vocabulary: int
    prompt: str
    prompt_tokens: int
    response_tokens: list[int]


class CandidatePolicy:
    """A causal LM with LoRA, scoring a fixed prompt's candidate responses.

    ``logprobs()`` returns ``log pi(y | prompt)`` for every candidate (shape ``(K,)``, with
    gradient); ``reference_logprobs()`` the same with the adapter switched off (cached).
    """

    def __init__(
        self, model_name: str, alternatives: list[str], prompt: str, lora: dict, seed: int, device: torch.device
    ):
        from peft import LoraConfig, get_peft_model

        self.alternatives = list(alternatives)
        self.device = device
        if model_name == TINY:
            texts = [prompt, *alternatives]
            tokenizer = build_word_tokenizer(texts)
            n_positions = 8 + len(prompt.split()) + max(len(a.split()) for a in alternatives)
            base = build_tiny_model(len(tokenizer), max(32, n_positions), seed)
            targets = lora.get("target_modules") or TINY_LORA_TARGETS
            extra = {"fan_in_fan_out": True}
        else:
            tokenizer, base = load_pretrained(model_name)
            targets = lora.get("target_modules")  # None: peft's default for the architecture
            extra = {}
        torch.manual_seed(seed)
        try:
            config = LoraConfig(
                r=lora["r"],
                lora_alpha=lora["alpha"],
                lora_dropout=lora["dropout"],
                target_modules=targets,
                task_type="CAUSAL_LM",
                **extra,
            )
            with warnings.catch_warnings():  # peft flips fan_in_fan_out per layer type (Conv1D vs Linear)
                warnings.filterwarnings("ignore", message="fan_in_fan_out is set")
                warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
                model = get_peft_model(base, config)
        except ValueError as exc:
            raise ModelUnavailable(
                f"LoRA cannot be attached to {model_name!r}: {exc}. Name the layers in the spec's lora.target_modules."
            ) from None
        # Only LoRA's own dropout stays active while training; the base model is deterministic.
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Dropout) and "lora_dropout" not in name:
                module.p = 0.0
        self.model = model.to(device)
        self.model.train()
        self.tokenizer = tokenizer
        self._build_batch(prompt, tokenizer)
        n_all = sum(p.numel() for p in self.model.parameters())
        n_train = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        self.info = PolicyInfo(
            model_name, n_all, n_train, len(tokenizer), prompt, self._n_prompt, [int(n) for n in self._n_response]
        )
        self._reference = None

    def _build_batch(self, prompt: str, tokenizer) -> None:
        prompt_ids = tokenizer(prompt)["input_ids"]
        eos = tokenizer.eos_token_id
        seqs = []
        for a in self.alternatives:
            ids = tokenizer(" " + a, add_special_tokens=False)["input_ids"]
            if tokenizer.unk_token_id is not None and tokenizer.unk_token_id in ids:
                raise ModelUnavailable(
                    f"the tokenizer cannot spell the alternative {a!r} (it maps to an unknown token)"
                )
            seqs.append(prompt_ids + ids + [eos])
        if len({tuple(s) for s in seqs}) < len(seqs):
            raise ModelUnavailable("two alternatives are tokenized identically; rename one of them")
        length = max(len(s) for s in seqs)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
        ids = torch.full((len(seqs), length), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), length), dtype=torch.long)
        target = torch.zeros((len(seqs), length - 1), dtype=torch.bool)
        for k, s in enumerate(seqs):
            ids[k, : len(s)] = torch.tensor(s)
            mask[k, : len(s)] = 1
            target[k, len(prompt_ids) - 1 : len(s) - 1] = True  # predicts the response tokens and EOS
        self._ids, self._mask, self._target = ids.to(self.device), mask.to(self.device), target.to(self.device)
        self._n_prompt = len(prompt_ids)
        self._n_response = [len(s) - len(prompt_ids) for s in seqs]

    def _sequence_logprobs(self) -> torch.Tensor:
        logits = self.model(input_ids=self._ids, attention_mask=self._mask).logits[:, :-1].float()
        logp = torch.log_softmax(logits, -1).gather(-1, self._ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        return (logp * self._target).sum(-1)

    def logprobs(self) -> torch.Tensor:
        return self._sequence_logprobs()

    @torch.no_grad()
    def reference_logprobs(self) -> torch.Tensor:
        if self._reference is None:
            was_training = self.model.training
            self.model.train(False)  # inference mode (no dropout)
            with self.model.disable_adapter():
                self._reference = self._sequence_logprobs().detach()
            self.model.train(was_training)
        return self._reference

    @torch.no_grad()
    def reference_token_entropies(self) -> tuple[np.ndarray, np.ndarray, int]:
        """The reference model's next-token entropies along every candidate response, for the
        dispersion proxy of RCPO Appendix D (:func:`aggregation.entropy_phi_proxy`).

        Returns ``H`` (K, T): ``H[i, j]`` the entropy (nats) of the distribution of token ``j + 1``
        of response ``i`` (its words, then EOS) given the prompt and the tokens before it, 0 past
        the response's end; ``lengths`` (K,): tokens per response; ``V``: the size of the
        distribution (the model's output dimension).
        """
        was_training = self.model.training
        self.model.train(False)  # inference mode (no dropout)
        with self.model.disable_adapter():
            logits = self.model(input_ids=self._ids, attention_mask=self._mask).logits[:, :-1]
        self.model.train(was_training)
        vocabulary = int(logits.shape[-1])
        logp = torch.log_softmax(logits[self._target].double(), -1)  # (response tokens, V), row-major order
        entropy = -(logp.exp() * logp).nan_to_num(0.0).sum(-1).cpu().numpy()
        lengths = np.asarray(self._n_response, dtype=np.int64)
        H = np.zeros((len(lengths), int(lengths.max())))
        H[np.arange(H.shape[1])[None, :] < lengths[:, None]] = entropy
        return H, lengths, vocabulary

    @torch.no_grad()
    def readout(self) -> tuple[torch.Tensor, float]:
        """The current policy over the alternatives (no dropout) and the mass outside them."""
        self.model.train(False)  # inference mode (no dropout)
        lp = self._sequence_logprobs()
        self.model.train()
        return torch.softmax(lp, 0), float(1.0 - lp.exp().sum().clamp(max=1.0))

    def trainable_parameters(self):
        return [p for p in self.model.parameters() if p.requires_grad]


class TabularPolicy:
    """The ``tabular`` model: a softmax over the K alternatives, one row of logits per prompt (``contexts``),
    no language model at all. It offers the same interface as :class:`CandidatePolicy`, so a job trains it
    through the same method classes, losses and optimizer (Adam, gradient clipping); a run takes well under a
    second to a few seconds on a CPU and its result can be compared with the theory to many digits.

    The table starts at zero, so the policy and the reference policy start uniform (as LoRA's ``B = 0`` makes
    the adapted model start at its reference); ``logprobs()`` is ``log_softmax`` of the table (float64),
    shape ``(K,)`` for one prompt and ``(contexts, K)`` otherwise. It has no tokens, so Mallows-RMJ-PO's
    entropy proxy of the dispersion does not apply to it (the spec refuses it).
    """

    def __init__(self, alternatives: list[str], contexts: int, device: torch.device):
        self.alternatives = list(alternatives)
        self.contexts = int(contexts)
        self.device = device
        K = len(self.alternatives)
        self.table = torch.zeros((self.contexts, K), dtype=torch.float64, device=device, requires_grad=True)
        self._reference = torch.full((self.contexts, K), -float(np.log(K)), dtype=torch.float64, device=device)
        self.info = PolicyInfo(TABULAR, self.contexts * K, self.contexts * K, K, "", 0, [1] * K)

    def _squeeze(self, x: torch.Tensor) -> torch.Tensor:
        return x[0] if self.contexts == 1 else x

    def logprobs(self) -> torch.Tensor:
        return self._squeeze(torch.log_softmax(self.table, -1))

    def reference_logprobs(self) -> torch.Tensor:
        return self._squeeze(self._reference)

    @torch.no_grad()
    def readout(self) -> tuple[torch.Tensor, float]:
        """The policy (averaged over prompts) and the mass outside the alternatives (always 0)."""
        return torch.softmax(self.table, -1).mean(0), 0.0

    @torch.no_grad()
    def by_context(self) -> np.ndarray:
        """``(contexts, K)``: every prompt's policy."""
        return torch.softmax(self.table, -1).cpu().numpy()

    def trainable_parameters(self):
        return [self.table]
