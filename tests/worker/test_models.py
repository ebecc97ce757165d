"""The policy read-out: exact sequence log-probabilities, and a local transformers checkpoint."""

import json
import math
import re

import pytest

torch = pytest.importorskip("torch", reason="the training stack (requirements-train.txt) is not installed")

from aggregation import population_from_dict
from worker.methods import make_method
from worker.models import (
    CandidatePolicy,
    ModelUnavailable,
    build_tiny_model,
    build_word_tokenizer,
    load_pretrained,
    render_prompt,
)
from worker.spec import DEFAULT_LORA, validate_spec
from worker.train import train

pytestmark = pytest.mark.slow

ALTS = ["dark red", "blue", "light sea green"]  # responses of different token lengths: padding matters
PROMPT = render_prompt("Which one : {options} ? My favourite colour is", ALTS)


def manual_logprob(model, tokenizer, prompt: str, response: str) -> float:
    """log p(response tokens, EOS | prompt), one unpadded forward pass per token."""
    ids = tokenizer(prompt)["input_ids"]
    total = 0.0
    for token in tokenizer(" " + response, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]:
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0, -1]
        total += torch.log_softmax(logits.double(), -1)[token].item()
        ids = ids + [token]
    return total


def test_sequence_log_probabilities_are_exact_despite_padding():
    policy = CandidatePolicy("tiny", ALTS, PROMPT, DEFAULT_LORA, seed=3, device=torch.device("cpu"))
    assert policy.info.response_tokens == [3, 2, 4]  # words + EOS
    ref = policy.reference_logprobs()
    with policy.model.disable_adapter():
        policy.model.eval()
        expected = [manual_logprob(policy.model, policy.tokenizer, PROMPT, a) for a in ALTS]
    assert ref.tolist() == pytest.approx(expected, abs=1e-5)
    p, outside = policy.readout()
    assert p.tolist() == pytest.approx(torch.softmax(torch.tensor(expected), 0).tolist(), abs=1e-5)
    assert outside == pytest.approx(1 - sum(torch.tensor(expected).exp().tolist()), abs=1e-5)
    # LoRA starts at zero: the policy starts equal to the reference
    assert policy.logprobs().tolist() == pytest.approx(ref.tolist(), abs=1e-5)


def manual_entropies(model, tokenizer, prompt: str, response: str) -> list[float]:
    """Entropy of each next-token distribution along the response (its tokens, then EOS), one
    unpadded forward pass per token."""
    ids = tokenizer(prompt)["input_ids"]
    out = []
    for token in tokenizer(" " + response, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]:
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0, -1].double(), -1)
        out.append(-(logp.exp() * logp).sum().item())
        ids = ids + [token]
    return out


def test_reference_entropies_and_the_appendix_d_proxy_of_each_row():
    """RCPO Appendix D: -log phi(S) = -log( sum_{i in S} sum_j H_ij / (|S| N log V) ), N the longest
    response of S, H from the reference model; checked against unpadded forward passes."""
    policy = CandidatePolicy("tiny", ALTS, PROMPT, DEFAULT_LORA, seed=3, device=torch.device("cpu"))
    with policy.model.disable_adapter():
        policy.model.eval()
        expected = [manual_entropies(policy.model, policy.tokenizer, PROMPT, a) for a in ALTS]
    policy.model.train()
    H, lengths, V = policy.reference_token_entropies()
    assert lengths.tolist() == [3, 2, 4] and H.shape == (3, 4) and V == len(policy.tokenizer)
    for i, row in enumerate(expected):
        assert H[i, : len(row)].tolist() == pytest.approx(row, abs=1e-6)
        assert (H[i, len(row) :] == 0).all()

    population = {"kind": "rankings", "alternatives": ALTS, "rankings": [{"weight": 1, "ranking": " > ".join(ALTS)}]}
    spec = validate_spec(
        {
            "population": population,
            "method": "mallows",
            "dispersion": "entropy",
            "display_size": 2,
            "dataset_size": 64,
            "prompt": "Which one : {options} ? My favourite colour is",
        }
    )
    method = make_method(spec, population_from_dict(population), ALTS, torch.device("cpu"))
    method.prepare(policy)
    for row, phi in zip(method.data.shown, method.phi.tolist()):
        total = sum(sum(expected[i]) for i in row)
        assert phi == pytest.approx(total / (2 * max(len(expected[i]) for i in row) * math.log(V)), rel=1e-6)
    summary = method.dataset()["dispersion"]
    assert summary["phi_min"] <= summary["phi_mean"] <= summary["phi_max"] <= 1.0
    assert summary["response_entropy"]["blue"] == pytest.approx(sum(expected[1]), abs=1e-6)


@pytest.fixture
def checkpoint(tmp_path):
    """A local transformers checkpoint directory (a tiny GPT-2 with its tokenizer), as a user's own model."""
    tokenizer = build_word_tokenizer([PROMPT, *ALTS, "extra words the model knows"])
    model = build_tiny_model(len(tokenizer), 64, seed=0)
    model.save_pretrained(tmp_path / "ckpt")
    tokenizer.save_pretrained(tmp_path / "ckpt")
    return tmp_path / "ckpt"


def test_a_checkpoint_in_the_model_folders_trains_with_pefts_default_lora_layers(checkpoint, monkeypatch):
    monkeypatch.setenv("AGGREGATION_MODEL_DIRS", f"{checkpoint.parent / 'empty'}:{checkpoint.parent}")
    population = {
        "kind": "rankings",
        "alternatives": ALTS,
        "rankings": [{"weight": 3, "ranking": " > ".join(ALTS)}, {"weight": 1, "ranking": " > ".join(ALTS[::-1])}],
    }
    spec = validate_spec(
        {
            "population": population,
            "method": "dpo",
            "model": "ckpt",
            "steps": 30,
            "learning_rate": 5e-3,
            "dataset_size": 256,
            "prompt": "Which one : {options} ? My favourite colour is",
        }
    )
    result = train(spec, lambda event: None)
    assert result["model"]["name"] == "ckpt"
    assert result["model"]["trainable_parameters"] < result["model"]["parameters"]
    assert result["model"]["response_tokens"] == {"dark red": 3, "blue": 2, "light sea green": 4}
    assert result["policy"]["dark red"] > result["reference_policy"]["dark red"]
    assert 0 < result["outside_mass"] < 1
    json.dumps(result, allow_nan=False)  # plain JSON


def test_only_models_in_the_folders_load_and_refusals_say_nothing_of_the_disk(tmp_path, checkpoint, capfd):
    """A name outside the folders, a path, and a damaged checkpoint are refused in words that name the model only:
    no path, no file content (the loader's own words go to the trainer's log, stderr)."""
    folders = [checkpoint.parent]
    assert load_pretrained("ckpt", folders)[1] is not None
    broken = checkpoint.parent / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "gpt2", SECRET-CONTENT-1234 /etc/shadow')  # not JSON
    for name, expected in [
        (
            "missing",
            "model 'missing' is not in this worker's model folders (AGGREGATION_MODEL_DIRS); only the models "
            "listed on the Fine-tuning page can be trained (nothing is downloaded)",
        ),
        (
            str(checkpoint),
            f"model {str(checkpoint)!r} is not in this worker's model folders (AGGREGATION_MODEL_DIRS); "
            "only the models listed on the Fine-tuning page can be trained (nothing is downloaded)",
        ),
        (
            "broken",
            re.compile(
                r"model 'broken' could not be loaded \((\w+)\); the trainer's log on the worker has "
                r"the details"
            ),
        ),
    ]:
        with pytest.raises(ModelUnavailable) as err:
            load_pretrained(name, folders)
        if isinstance(expected, str):
            assert str(err.value) == expected
        else:
            assert expected.fullmatch(str(err.value)), str(err.value)
    log = capfd.readouterr().err
    assert f"loading model 'broken' from {broken} failed:" in log  # the operator's log has the loader's words
