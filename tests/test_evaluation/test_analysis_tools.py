"""tools/analysis: confusion matrix from a test dump, training curves, t-SNE feature map."""
import importlib.util
import json
import os

import mmengine
import numpy as np
import pytest
import torch

import ous_mm  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(ROOT, 'tools', 'analysis', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dump(path, probs, labels):
    """What tools/test.py --dump writes: DumpResults of ActionDataSample dicts."""
    mmengine.dump([dict(pred_score=torch.tensor(p), gt_label=torch.tensor([y]),
                        pred_label=torch.tensor([int(np.argmax(p))]))
                   for p, y in zip(probs, labels)], path)


def test_plot_confusion_matrix_from_dump(tmp_path, capsys):
    dump = str(tmp_path / 'preds.pkl')
    _dump(dump, [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.1, 0.2, 0.7], [0.5, 0.3, 0.2]],
          [0, 1, 2, 1])
    out = str(tmp_path / 'cm.png')
    cm = _tool('plot_confusion_matrix').main(
        [dump, '--classes', 'Happy', 'Sad', 'Neutral', '--out', out])
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    saved = json.load(open(str(tmp_path / 'cm.json')))
    assert saved['recall'] == {'Happy': 100.0, 'Sad': 50.0, 'Neutral': 100.0}
    assert saved['metrics']['UAR'] == pytest.approx(250 / 3)
    assert saved['metrics']['WAR'] == pytest.approx(75.0)
    assert open(out, 'rb').read(4) == b'\x89PNG'
    assert 'UAR 83.33  WAR 75.00' in capsys.readouterr().out


def test_plot_confusion_matrix_names_from_config_and_mismatch(tmp_path):
    dump = str(tmp_path / 'preds.pkl')
    _dump(dump, np.eye(7)[[0, 1, 2, 3, 4, 5, 6]], list(range(7)))
    config = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
    tool = _tool('plot_confusion_matrix')
    tool.main([dump, '--config', config, '--out', str(tmp_path / 'a.png')])
    assert json.load(open(str(tmp_path / 'a.json')))['class_names'][0] == 'Happy'
    with pytest.raises(SystemExit, match='2 class names but the dump has 7'):
        tool.main([dump, '--classes', 'a', 'b'])


def test_plot_curves_reads_scalars_json(tmp_path):
    run = tmp_path / 'work' / '20260101_000000' / 'vis_data'
    run.mkdir(parents=True)
    lines = [dict(lr=0.002, loss=2.0, loss_contrast=1.5, epoch=1, iter=5, step=5),
             dict(lr=0.002, loss=1.5, loss_contrast=1.2, epoch=1, iter=10, step=10),
             {'dfer/UAR': 30.0, 'dfer/WAR': 35.0, 'dfer/loss': 1.7, 'step': 1},
             dict(lr=0.002, loss=1.0, loss_contrast=0.9, epoch=2, iter=20, step=20),
             {'dfer/UAR': 50.0, 'dfer/WAR': 55.0, 'dfer/loss': 1.2, 'step': 2}]
    (run / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    tool = _tool('plot_curves')
    train, val = tool.read_scalars(str(run / 'scalars.json'))
    assert train['loss'] == [(5, 2.0), (10, 1.5), (20, 1.0)]
    # validation after epoch n sits at the last training iteration of epoch n
    assert val['dfer/UAR'] == [(10, 30.0), (20, 50.0)]
    out = tool.main([str(tmp_path / 'work')])
    assert out.endswith('curves.png') and open(out, 'rb').read(4) == b'\x89PNG'


def test_feature_map_tsne_on_generated_clips(tmp_path):
    from ous_mm.datasets.synthetic import generate_dataset

    data_root = str(tmp_path / 'syn')
    generate_dataset(data_root, num_clips=28, seed=0, workers=1)
    config = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')
    out = str(tmp_path / 'tsne.png')
    feats = str(tmp_path / 'feats.npz')
    points = _tool('feature_map').main([
        config, '--out', out, '--split', 'train', '--perplexity', '5', '--save-features',
        feats, '--cfg-options', f'train_dataloader.dataset.data_root={data_root}',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False'])
    assert set(points) == {'backbone', 'frames_encoder', 'aligned', 'fusion'}
    saved = np.load(feats)
    n = len(saved['labels'])
    assert n >= 10
    for stage, xy in points.items():
        assert xy.shape == (n, 2) and np.isfinite(xy).all()
    assert saved['fusion'].shape[0] == n and saved['backbone'].shape == (n, 64)
    assert open(out, 'rb').read(4) == b'\x89PNG'
