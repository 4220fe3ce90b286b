"""One-line overrides: one key changes all three pipelines.

Without them, `--cfg-options face_detector.type=...` or a child config's `clip_len = 4`
would silently change nothing: the base built its pipelines from its own value. Here
each form is checked on the pipelines the datasets really build.
"""
import pytest
import torch

from ous_mm.utils import apply_config_switches
from tests.fixtures.config_fixtures import build_dataset, load, relocate, write_annotations

torch.set_num_threads(1)
SPLITS = ('train', 'val', 'test')
TINY = 'configs/ous/ous_tiny_synthetic.py'
DFEW = 'configs/ous/ous_vitl14_dfew.py'


def built_steps(cfg, tmp_path, step_type):
    """The ``step_type`` transform of each split's pipeline, as the dataset builds it."""
    cfg = apply_config_switches(relocate(cfg, tmp_path))
    write_annotations(cfg)
    steps = []
    for split in SPLITS:
        dataset = build_dataset(cfg[f'{split}_dataloader'].dataset)
        (step, ) = [t for t in dataset.pipeline.transforms if type(t).__name__ == step_type]
        steps.append(step)
    return steps


@pytest.mark.parametrize('form', ['cfg-options', 'child config'])
def test_one_line_swaps_the_detector_in_all_three_pipelines(form, tmp_path):
    assert {type(s.detector).__name__ for s in
            built_steps(load(TINY), tmp_path, 'FaceSceneSplit')} == {'PrecomputedFaceBoxes'}
    if form == 'cfg-options':
        cfg = load(TINY, ['face_detector.type=OpenCVFaceDetector'])
    else:
        cfg = load(TINY, child_lines=["face_detector = dict(type='OpenCVFaceDetector')"],
                   tmp_path=tmp_path)
    steps = built_steps(cfg, tmp_path, 'FaceSceneSplit')
    assert [type(s.detector).__name__ for s in steps] == ['OpenCVFaceDetector'] * 3
    assert [s.margin for s in steps] == [0.1] * 3  # the rest of the crop settings stay


@pytest.mark.parametrize('form', ['cfg-options', 'child config'])
def test_one_line_sets_clip_len_and_img_size_everywhere(form, tmp_path):
    if form == 'cfg-options':
        cfg = load(DFEW, ['clip_len=4', 'img_size=336'])
    else:
        cfg = load(DFEW, child_lines=['clip_len = 4', 'img_size = 336'], tmp_path=tmp_path)
    assert [s.clip_len for s in built_steps(cfg, tmp_path, 'FaceSceneSampleFrames')] == [4] * 3
    assert [s.out_size for s in built_steps(cfg, tmp_path, 'FaceSceneSplit')] == [336] * 3
    switched = apply_config_switches(cfg)
    # the top-level test pipeline (what inference on a video uses) follows too
    assert switched.test_pipeline[1].clip_len == 4 and switched.test_pipeline[3].out_size == 336


def test_a_step_changed_alone_keeps_its_value_without_an_override(tmp_path):
    cfg = load(TINY, ['train_dataloader.dataset.pipeline.1.clip_len=2'])
    assert [s.clip_len for s in built_steps(cfg, tmp_path, 'FaceSceneSampleFrames')] == [2, 8, 8]
    # an override key is the value everywhere, the one place to say "all pipelines"
    cfg = load(TINY, ['train_dataloader.dataset.pipeline.1.clip_len=2', 'clip_len=6'])
    assert [s.clip_len for s in built_steps(cfg, tmp_path, 'FaceSceneSampleFrames')] == [6, 6, 6]


def test_applying_twice_changes_nothing_and_the_input_is_kept():
    cfg = load(DFEW, ['fold=4', 'feature_cache=/features'])
    once = apply_config_switches(cfg)
    assert apply_config_switches(once).to_dict() == once.to_dict()
    assert cfg.train_dataloader.dataset.fold == 1  # the caller's config is not modified
    assert once.train_dataloader.dataset.fold == 4


def test_init_ous_model_applies_the_switches(tmp_path):
    from ous_mm.apis import init_ous_model
    from ous_mm.apis.inference import clip_len_of

    cfg = load(TINY, ['clip_len=3', 'face_detector.type=OpenCVFaceDetector'])
    with pytest.warns(UserWarning, match='untrained'):
        model = init_ous_model(cfg)
    assert clip_len_of(model.cfg) == 3
    assert model.cfg.test_pipeline[3].detector.type == 'OpenCVFaceDetector'
