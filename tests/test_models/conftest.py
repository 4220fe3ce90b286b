"""Shared tiny CLIP arch, tiny OUS model and fake batches for the model tests."""
import copy
from pathlib import Path

import pytest
import torch

import ous_mm  # noqa: F401  (upstream fixes + registration)
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

init_default_scope('mmaction')  # what the Runner does with default_scope='mmaction'
# Tiny tensors: one thread is ~100x faster than many threads fighting over 2 shared cores.
torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[2]
CLASS_NAMES = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
POLARITY = {0: 0, 1: 2, 2: 1, 3: 2, 4: 1, 5: 2, 6: 2}  # class id -> polarity id

# 32 px frames, 2 ViT blocks of width 32, a 1-block text tower of width 32.
TINY_ARCH = dict(
    embed_dim=32,
    vision_cfg=dict(image_size=32, layers=2, width=32, patch_size=16, head_width=16),
    text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2, layers=1))


def tiny_model_cfg(config: str = 'configs/ous/ous_tiny_synthetic.py') -> dict:
    """``cfg.model`` of ``config`` with the backbone switched to :data:`TINY_ARCH`."""
    cfg = Config.fromfile(str(REPO / config))
    model = copy.deepcopy(cfg.model.to_dict())
    model['backbone'].update(arch=copy.deepcopy(TINY_ARCH), pretrained=None, quick_gelu=False,
                             early_layers=1)
    model['neck'].setdefault('frames_encoder', {})['max_frames'] = 4
    if not model['cls_head'].get('class_names'):
        model['cls_head']['class_names'] = CLASS_NAMES
    return model


def build_tiny_model(config: str = 'configs/ous/ous_tiny_synthetic.py', **overrides):
    model_cfg = tiny_model_cfg(config)
    for key, value in overrides.items():
        model_cfg[key] = value
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model


def make_batch(batch: int = 2, frames: int = 3, size: int = 32, seed: int = 0,
               with_polarity: bool = True) -> dict:
    """A dataloader-style batch: uint8 ``(2, T, 3, H, W)`` clips and data samples."""
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i in range(batch):
        inputs.append(torch.randint(0, 256, (2, frames, 3, size, size), generator=gen,
                                    dtype=torch.uint8))
        label = i % len(CLASS_NAMES)
        sample = ActionDataSample().set_gt_label(label)
        if with_polarity:
            sample.set_field(torch.tensor(POLARITY[label]), 'gt_polarity')
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


@pytest.fixture
def tiny_model():
    torch.manual_seed(0)
    return build_tiny_model()
