"""Issue 14 item 7: the tools an MMAction2 user reaches for: test.py --show-dir/--interval,
print_config.py, get_flops.py (per stream, per clip, frozen vs trainable), browse_dataset.py."""
import glob
import os
import sys

import cv2
import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401
from tests.test_datasets.video_fixtures import load_tool
from ous_mm.datasets.synthetic import generate_dataset
from ous_mm.visualization import BOX_COLOR, FALLBACK_COLOR

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = 'configs/ous/ous_tiny_synthetic.py'


def _tool(name):
    return load_tool(os.path.join(ROOT, 'tools', 'analysis_tools', f'{name}.py'))


def _data_options(data_root, splits=('train', 'val', 'test')):
    options = []
    for split in splits:
        options += [f'{split}_dataloader.dataset.data_root={data_root}',
                    f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    return options


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('syn'))
    generate_dataset(root, num_clips=20, seed=0, num_frames=8, size=64, progress=False)
    return root


def test_test_py_show_dir_draws_every_interval_th_clip(tmp_path, synthetic_root, monkeypatch):
    from ous_mm.apis import init_ous_model

    torch.manual_seed(0)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=init_ous_model(os.path.join(ROOT, TINY)).state_dict()), ckpt)
    show_dir = str(tmp_path / 'vis')
    test_py = load_tool(os.path.join(ROOT, 'tools', 'test.py'))
    monkeypatch.setattr(sys, 'argv', [
        'tools/test.py', os.path.join(ROOT, TINY), ckpt, '--work-dir', str(tmp_path / 'w'),
        '--show-dir', show_dir, '--interval', '2', '--cfg-options',
        *_data_options(synthetic_root, ('test',)), 'test_dataloader.batch_size=3'])
    test_py.main()
    num_test = sum(1 for line in open(os.path.join(synthetic_root, 'test.jsonl'))
                   if line.strip() and not line.startswith('#'))
    files = sorted(glob.glob(os.path.join(show_dir, '*.png')))
    # clips 0, 2, 4, ... across batches of 3 (the index runs over the whole loop)
    assert [int(os.path.basename(f)[:6]) for f in files] == list(range(0, num_test, 2))
    img = cv2.imread(files[0])
    # two rows of frames (face stream, scene stream) of 112 px plus titles and the text band
    assert img.shape[0] > 2 * 112 + 60 and img.shape[1] >= 8 * 112


def test_print_config_merges_cfg_options(tmp_path, capsys):
    from mmengine.config import Config

    tool = _tool('print_config')
    saved = str(tmp_path / 'merged.py')
    cfg = tool.main([TINY, '--cfg-options', 'model.neck.fusion=avgpool',
                     'model.cls_head.prompt_length=4', '--save-path', saved])
    out = capsys.readouterr().out
    assert out.startswith('Config:\n') and "fusion='avgpool'" in out
    assert cfg.model.neck.fusion == 'avgpool'
    again = Config.fromfile(saved)
    assert again.model.neck.fusion == 'avgpool' and again.model.cls_head.prompt_length == 4
    with pytest.raises(SystemExit, match='config not found: nope.py'):
        tool.main(['nope.py'])


def _vit_macs_per_frame(image, patch, width, layers, embed):
    """Multiply-adds of one frame through a CLIP ViT: patch conv, blocks, projection."""
    tokens = (image // patch) ** 2 + 1
    conv = (image // patch) ** 2 * 3 * patch * patch * width
    block = 12 * tokens * width * width + 2 * tokens * tokens * width  # qkv/proj/MLP, attention
    return conv + layers * block + width * embed


def test_get_flops_per_stream_per_clip_frozen_vs_trainable(tmp_path, capsys):
    import json

    tool = _tool('get_flops')
    out_json = str(tmp_path / 'flops.json')
    report = tool.main([TINY, '--out-json', out_json])
    text = capsys.readouterr().out
    assert 'backbone, face stream' in text and 'backbone, scene stream' in text
    assert json.load(open(out_json))['total_flops'] == report['total_flops']
    parts = {p['name']: p for p in report['parts']}
    assert sum(p['flops'] for p in report['parts']) == report['total_flops']
    # the tiny tower (64 px, patch 16, width 64, 4 blocks) with MHA counted, not skipped
    expected = _vit_macs_per_frame(64, 16, 64, 4, 64)
    assert report['per_frame_flops'] == pytest.approx(expected, rel=0.005)
    # the shared LSTM (width 64): both streams' frames through 8 gate matrices of 64 x 64
    assert parts['neck.lstm']['flops'] == 2 * report['clip_len'] * 8 * 64 * 64
    clip_len = report['clip_len']
    assert report['streams']['face'] == report['streams']['scene'] == \
        parts['backbone']['flops'] // 2
    assert report['per_frame_flops'] == report['streams']['face'] // clip_len
    assert parts['backbone']['frozen'] and parts['backbone']['trainable_params'] == 0
    assert parts['cls_head.text_encoder']['frozen']
    assert not parts['neck.tfe']['frozen'] and parts['neck.tfe']['flops'] > 0
    assert report['frozen_flops'] == parts['backbone']['flops'] + \
        parts['cls_head.text_encoder']['flops']
    assert report['frozen_flops'] + report['trainable_flops'] == report['total_flops']
    from mmaction.registry import MODELS
    from mmengine.config import Config
    model = MODELS.build(Config.fromfile(os.path.join(ROOT, TINY)).model)
    assert report['trainable_params'] == sum(p.numel() for p in model.parameters()
                                             if p.requires_grad)
    assert report['trainable_params'] + report['frozen_params'] == \
        sum(p.numel() for p in model.parameters())
    # per clip: twice the frames, twice the backbone; face-only: one stream
    double = tool.main([TINY, '--clip-len', str(2 * clip_len)])
    assert double['streams']['face'] == 2 * report['streams']['face']
    face_only = tool.main([TINY, '--cfg-options', 'model.use_scene=False'])
    assert set(face_only['streams']) == {'face'}
    assert face_only['streams']['face'] == report['streams']['face']
    assert face_only['total_flops'] < report['total_flops'] - report['streams']['scene'] + 1


def test_browse_dataset_draws_box_and_marks_fallback(tmp_path, synthetic_root):
    tool = load_tool(os.path.join(ROOT, 'tools', 'visualizations', 'browse_dataset.py'))
    out_dir = str(tmp_path / 'browse')
    written = tool.main([TINY, out_dir, '--phase', 'val', '--show-number', '3',
                         '--cfg-options', *_data_options(synthetic_root, ('val',))])
    assert len(written) == 3 and all(os.path.isfile(w['path']) for w in written)
    assert not any(w['face_fallback'] for w in written)  # precomputed boxes: faces found
    img = cv2.cvtColor(cv2.imread(written[0]['path']), cv2.COLOR_BGR2RGB)
    first_row = img[:img.shape[0] // 3]
    green = (np.abs(first_row.astype(int) - BOX_COLOR).max(axis=2) < 40).sum()
    assert green > 50  # the face box on the decoded scene frames

    # a clip without a face: red-orange border and no green box, said in the text band
    frames = [np.full((64, 96, 3), 120, np.uint8) for _ in range(4)]
    results = dict(clip_id='c0', label_name='Happy', face_boxes=None, face_fallback=True,
                   face_imgs=np.stack([f[:, 16:80] for f in frames]),
                   imgs=np.stack([f[:, :64] for f in frames]))
    panel = tool.draw_clip(frames, results, max_frames=4, cell=64)
    near = np.abs(panel.astype(int) - FALLBACK_COLOR).max(axis=2) < 40
    assert near.sum() > 200
    results.update(face_fallback=False, face_boxes=np.array([[30, 10, 60, 50]] * 4, float))
    panel = tool.draw_clip(frames, results, max_frames=4, cell=64)
    assert (np.abs(panel.astype(int) - FALLBACK_COLOR).max(axis=2) < 40).sum() == 0
    assert (np.abs(panel.astype(int) - BOX_COLOR).max(axis=2) < 40).sum() > 50


def test_confusion_matrix_takes_config_and_checkpoint(tmp_path, synthetic_root):
    """MMAction2's `confusion_matrix.py CONFIG CHECKPOINT`: the test split is run first."""
    import json

    from ous_mm.apis import init_ous_model

    torch.manual_seed(0)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=init_ous_model(os.path.join(ROOT, TINY)).state_dict()), ckpt)
    out = str(tmp_path / 'cm.png')
    cm = _tool('confusion_matrix').main([
        os.path.join(ROOT, TINY), ckpt, '--out', out, '--work-dir', str(tmp_path / 'w'),
        '--cfg-options', *_data_options(synthetic_root, ('test', ))])
    num_test = sum(1 for line in open(os.path.join(synthetic_root, 'test.jsonl'))
                   if line.strip() and not line.startswith('#'))
    assert cm.shape == (7, 7) and cm.sum() == num_test
    saved = json.load(open(str(tmp_path / 'cm.json')))
    assert saved['matrix'] == cm.tolist() and os.path.isfile(out)
