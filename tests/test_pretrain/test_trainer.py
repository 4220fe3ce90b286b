"""Contrastive training: exact truncated text encoding, the CLIP loss, the loss goes down."""
import copy

import open_clip
import pytest
import torch

import ous_mm  # noqa: F401
from ous_mm.pretrain import (CaptionedImages, CorpusConfig, TrainConfig, build_clip,
                             contrastive_loss, render_corpus, train_contrastive)
from ous_mm.pretrain.corpus import tokenize
from ous_mm.pretrain.evaluate import (linear_probe_accuracy, per_class_accuracy,
                                     zero_shot_accuracy)
from ous_mm.pretrain.trainer import encode_text, lr_at, normalize_images

from ..test_models.conftest import TINY_ARCH

SMALL = CorpusConfig(num_items=24, heldout_items=14, image_size=32, frame_sizes=(48, 96))


def test_truncated_text_encoding_equals_open_clip():
    torch.manual_seed(0)
    model = build_clip(copy.deepcopy(TINY_ARCH)).eval()
    texts = ['a photo of a happy face', 'a drawing of a fearful person in front of a dark sky']
    short = tokenize(texts)
    full = open_clip.tokenizer.SimpleTokenizer(context_length=77)(texts)
    assert short.shape[1] < 77 and torch.equal(full[:, :short.shape[1]], short)
    with torch.no_grad():
        assert torch.allclose(encode_text(model, short), model.encode_text(full), atol=1e-5)
    with pytest.raises(ValueError, match='longer than the text context'):
        tokenize(['word ' * 80])


def test_loss_is_clip_infonce_with_the_learnable_scale():
    torch.manual_seed(0)
    model = build_clip(copy.deepcopy(TINY_ARCH)).eval()
    images = torch.randn(4, 3, 32, 32)
    tokens = tokenize(['a sad face', 'a fearful face', 'a happy face', 'an angry face'])
    with torch.no_grad():
        logits, _ = model.get_logits(images, open_clip.tokenizer.SimpleTokenizer()(
            ['a sad face', 'a fearful face', 'a happy face', 'an angry face']))
        target = torch.arange(4)
        expected = (torch.nn.functional.cross_entropy(logits, target)
                    + torch.nn.functional.cross_entropy(logits.t(), target)) / 2
        assert torch.allclose(contrastive_loss(model, images, tokens), expected, atol=1e-5)
        model.logit_scale.fill_(0.0)  # temperature 1: a weaker, different loss
        assert not torch.allclose(contrastive_loss(model, images, tokens), expected, atol=1e-3)


def test_training_lowers_the_contrastive_loss_on_a_fixed_batch():
    corpus = render_corpus(SMALL, 'train')
    data = CaptionedImages(corpus, SMALL)
    images = normalize_images(data.images[:16])
    tokens = data.tokens[:16, 0]
    tokens = tokens[:, :int(tokens.argmax(-1).max()) + 1]
    torch.manual_seed(0)
    model = build_clip(copy.deepcopy(TINY_ARCH))
    with torch.no_grad():
        before = float(contrastive_loss(model.eval(), images, tokens))
    result = train_contrastive(model, data, TrainConfig(steps=25, batch_size=12, lr=2e-3,
                                                        warmup_steps=3, seed=0))
    with torch.no_grad():
        after = float(contrastive_loss(model.eval(), images, tokens))
    assert len(result.losses) == 25 and result.seconds > 0 and not model.training
    assert after < 0.8 * before, (before, after)


def test_schedule_and_bad_input():
    cfg = TrainConfig(steps=100, lr=1e-3, warmup_steps=10)
    assert lr_at(0, cfg) == pytest.approx(1e-4) and lr_at(9, cfg) == pytest.approx(1e-3)
    assert lr_at(55, cfg) == pytest.approx(5e-4) and lr_at(100, cfg) == pytest.approx(0.0)
    with pytest.raises(ValueError, match='at least 2 items'):
        train_contrastive(build_clip(copy.deepcopy(TINY_ARCH)), [], cfg)


def test_zero_shot_and_probe_measure_separable_features():
    feats = torch.nn.functional.normalize(torch.eye(3).repeat(10, 1) + 0.01, dim=-1)
    labels = [0, 1, 2] * 10
    assert zero_shot_accuracy(feats, labels, torch.eye(3)) == 100.0
    assert zero_shot_accuracy(feats, labels, torch.eye(3)[[1, 2, 0]]) == 0.0
    assert linear_probe_accuracy(feats, labels, 3) == 100.0
    swapped = torch.eye(3)[[0, 2, 1]]  # class 0 right, 1 and 2 swapped
    assert per_class_accuracy(feats, labels, swapped, 'abc') == {'a': 100.0, 'b': 0.0, 'c': 0.0}
