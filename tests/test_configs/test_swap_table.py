"""README "Swap a component": every row is one config line that builds and trains.

The table is read from README.md itself, so the documentation cannot drift from
what works. Each row is applied to configs/ous/ous_tiny_synthetic.py (the CPU
config), the datasets and the model are built from the switched config, one
training iteration runs on two generated clips, and a row-specific check proves the
line reached the component it names.
"""
import math
import re
import shlex

import pytest
import torch
from mmengine.optim import OptimWrapper

from mmaction.registry import MODELS
from ous_mm.datasets.synthetic import generate_dataset
from ous_mm.utils import apply_config_switches
from tests.fixtures import toy_temporal  # noqa: F401  (registers MyTemporalEncoder)
from tests.fixtures.config_fixtures import (REPO, batch_from, load, relocate, write_annotations,
                                            write_stores)

torch.set_num_threads(1)  # tiny tensors on 2 shared cores
BASE = 'configs/ous/ous_tiny_synthetic.py'
COMPONENTS = ('Face detector', 'Frames per clip', 'Temporal encoder', 'Fusion', 'Loss',
              'Prompt length', 'Backbone arch and weights', 'Face only', 'Cached features')
# What the test machine adds to a row: no hub download here (and 2 frames: a full-size
# ViT on 2 CPU cores). Every other row runs exactly as written.
TEST_ONLY = {'Backbone arch and weights': ['model.backbone.pretrained=None', 'clip_len=2']}


def swap_rows() -> dict:
    text = (REPO / 'README.md').read_text(encoding='utf-8')
    section = text.split('## Swap a component', 1)[1].split('\n## ', 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) >= 2 and cells[1].startswith('`'):
            rows[cells[0]] = re.fullmatch(r'`([^`]+)`', cells[1]).group(1)
    return rows


ROWS = swap_rows()


def test_the_table_has_every_component():
    assert set(COMPONENTS) <= set(ROWS), sorted(set(COMPONENTS) - set(ROWS))


@pytest.fixture(scope='module')
def clips(tmp_path_factory):
    root = tmp_path_factory.mktemp('swap') / 'synthetic'
    generate_dataset(str(root), num_clips=14, seed=3, size=64, num_frames=8, progress=False)
    return root


def apply_row(component: str, tmp_path, data_root):
    line = ROWS[component]
    child = re.match(r'^\w+ = ', line) is not None  # a child-config line, else --cfg-options
    options = [] if child else shlex.split(line)
    cfg = load(BASE, options + TEST_ONLY.get(component, []),
               child_lines=[line] if child else [], tmp_path=tmp_path)
    if cfg.get('feature_cache'):
        cfg.feature_cache = str(tmp_path / cfg.feature_cache)
    return apply_config_switches(relocate(cfg, data_root))


def _check(component, cfg, model, batch):
    """The row's own effect, read back from the built model or the loaded batch."""
    inputs = batch['inputs']  # clips: a list of (streams, T, 3, H, W); cached: a dict
    inputs = inputs if isinstance(inputs, dict) else inputs[0]
    if component == 'Face detector':
        for split in ('train', 'val', 'test'):
            (step, ) = [s for s in cfg[f'{split}_dataloader'].dataset.pipeline
                        if s.type == 'FaceSceneSplit']
            assert step.detector.type == 'OpenCVFaceDetector'
            assert step.on_no_face == 'center_crop'  # the synthetic config raises otherwise
    elif component == 'Frames per clip':
        assert inputs.shape[1] == 4  # (streams, T, 3, H, W)
    elif component == 'Temporal encoder':
        assert type(model.neck.frames_encoder).__name__ == 'MyTemporalEncoder'
    elif component == 'Fusion':
        assert model.neck.fusion == 'avgpool' and model.neck.tfe is None
    elif component in ('Loss', 'Face only'):
        assert type(model.cls_head.loss_cls).__name__ == 'ContrastiveLoss'
        if component == 'Face only':
            assert model.use_scene is False and model.neck.polarity_encoder is None
    elif component == 'Prompt length':
        assert model.cls_head.prompt_learner.ctx.shape[-2] == 32
    elif component == 'Backbone arch and weights':
        assert model.backbone.visual.transformer.width == 768
        assert model.backbone.embed_dim == 512 and inputs.shape[-1] == 224
    elif component == 'Cached features':
        assert set(inputs) == {'embed', 'early'}
    else:
        raise AssertionError(f'no check written for the row {component!r}')


@pytest.mark.parametrize('component', COMPONENTS)
def test_row_builds_and_trains_one_iteration(component, clips, tmp_path):
    # the cached row reads tiny lists and stores of its own, not the generated clips
    data_root = tmp_path / 'data' if component == 'Cached features' else clips
    cfg = apply_row(component, tmp_path, data_root)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if component == 'Cached features':
        write_stores(cfg, model, write_annotations(cfg))
    batch = batch_from(cfg, 'train')
    _check(component, cfg, model, batch)
    optim = OptimWrapper(torch.optim.Adam([p for p in model.parameters() if p.requires_grad],
                                          lr=1e-3))
    before = [p.detach().clone() for p in model.cls_head.parameters() if p.requires_grad]
    log_vars = model.train_step(batch, optim)
    assert math.isfinite(float(log_vars['loss']))
    after = [p.detach() for p in model.cls_head.parameters() if p.requires_grad]
    assert any(not torch.equal(a, b) for a, b in zip(after, before))  # it trained
