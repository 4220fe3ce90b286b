"""PromptContrastiveHead: prompts through the frozen text tower, logits, text cache."""
import copy
import math

import open_clip
import pytest
import torch
import torch.nn.functional as F
from open_clip.tokenizer import SimpleTokenizer

from mmaction.registry import MODELS

from .conftest import CLASS_NAMES, TINY_ARCH


def _head(**kwargs):
    cfg = dict(type='PromptContrastiveHead', class_names=CLASS_NAMES, in_channels=32,
               arch=copy.deepcopy(TINY_ARCH), prompt_length=4)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_prompt_features_equal_open_clip_encode_text():
    """With the context set to the word embedding of 'X', the learnable prompt must give
    exactly open_clip's text feature of the string 'X X X X <class>.' (so the context
    tokens sit where CoOp puts them, and the truncated pass changes nothing)."""
    torch.manual_seed(0)
    clip = open_clip.CLIP(**copy.deepcopy(TINY_ARCH)).eval()
    head = _head()
    head.text_encoder.load_state_dict(
        {k: v for k, v in clip.state_dict().items() if not k.startswith(('visual.', 'logit'))})
    x_id = SimpleTokenizer().encode('X')[0]
    with torch.no_grad():
        head.prompt_learner.ctx.copy_(clip.token_embedding.weight[x_id].expand(4, -1))
        ours = head.prompt_learner(head.text_encoder)
        texts = SimpleTokenizer()([f'X X X X {name}.' for name in CLASS_NAMES])
        ref = clip.encode_text(texts)
    assert head.prompt_learner.seq_len < 77  # the truncated pass
    assert torch.allclose(ours, ref, atol=1e-5)


def test_logits_are_scaled_cosine_similarities():
    torch.manual_seed(0)
    head = _head().eval()
    video = torch.randn(3, 32)
    text = F.normalize(head.prompt_learner(head.text_encoder), dim=-1)
    expected = math.exp(math.log(1 / 0.07)) * F.normalize(video, dim=-1) @ text.t()
    assert torch.allclose(head(video), expected, atol=1e-4)
    with torch.no_grad():
        head.logit_scale.fill_(10.0)  # clamped at ln(100)
    assert torch.allclose(head(video), 100 * F.normalize(video, dim=-1) @ text.t(), atol=1e-3)


def test_text_tower_frozen_context_trainable():
    head = _head().train()
    assert not any(p.requires_grad for p in head.text_encoder.parameters())
    assert not head.text_encoder.training
    assert head.prompt_learner.ctx.requires_grad and head.logit_scale.requires_grad
    head(torch.randn(2, 32)).sum().backward()
    assert head.prompt_learner.ctx.grad is not None
    assert all(p.grad is None for p in head.text_encoder.parameters())


def test_text_features_cached_in_eval_and_invalidated(monkeypatch):
    head = _head()
    calls = []
    original = head.prompt_learner.forward
    monkeypatch.setattr(head.prompt_learner, 'forward',
                        lambda enc: calls.append(1) or original(enc))
    head.eval()
    first = head(torch.randn(2, 32))
    head(torch.randn(2, 32))
    assert len(calls) == 1  # once per evaluation, not per batch
    with torch.no_grad():
        head.prompt_learner.ctx.add_(0.1)  # what an optimizer step does
    changed = head(torch.randn(2, 32))
    assert len(calls) == 2 and not torch.equal(first, changed)
    head.train()
    head(torch.randn(2, 32))
    head(torch.randn(2, 32))
    assert len(calls) == 4  # train mode: recomputed each step (gradients to the context)
    head.eval()
    head(torch.randn(2, 32))
    assert len(calls) == 5  # train() dropped the cache


def test_bad_head_configs():
    with pytest.raises(ValueError, match='class_names'):
        _head(class_names=None)
    with pytest.raises(ValueError, match='text context length is 77'):
        _head(prompt_length=80)
    with pytest.raises(ValueError, match='num_classes'):
        _head(num_classes=5)
    with pytest.raises(ValueError, match='video feature has 64'):
        _head(in_channels=64)


def test_class_specific_context_only_moves_its_own_class():
    """CoOp's CSC variant: one context per class; the shared context is the default."""
    width = TINY_ARCH["text_cfg"]["width"]
    assert _head().prompt_learner.ctx.shape == (4, width)
    head = _head(class_specific_context=True).eval()
    assert head.prompt_learner.ctx.shape == (len(CLASS_NAMES), 4, width)
    with torch.no_grad():
        before = head.prompt_learner(head.text_encoder)
        head.prompt_learner.ctx[0].add_(1.0)
        after = head.prompt_learner(head.text_encoder)
    assert not torch.allclose(before[0], after[0])
    assert torch.equal(before[1:], after[1:])
