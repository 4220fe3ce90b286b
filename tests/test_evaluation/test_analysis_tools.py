"""tools/analysis_tools: each plot is read back from its matplotlib figure (axes, labels, data) or its
JSON, not from PNG bytes (issue 15); the t-SNE tool runs the backbone once per batch and shows
progress (issue 14 item 8)."""
import json
import os

import mmengine
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import ous_mm  # noqa: F401
from tests.test_datasets.video_fixtures import load_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_CONFIG = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_demo_synthetic.py')


def _tool(name):
    return load_tool(os.path.join(ROOT, 'tools', 'analysis_tools', f'{name}.py'))


@pytest.fixture
def saved_figures(monkeypatch):
    """Every matplotlib Figure saved during the test, with the path it was saved to."""
    saved = []
    original = Figure.savefig

    def record(self, fname, *args, **kwargs):
        saved.append((self, str(fname)))
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, 'savefig', record)
    return saved


def _dump(path, probs, labels):
    """What tools/test.py --dump writes: DumpResults of ActionDataSample dicts."""
    mmengine.dump([dict(pred_score=torch.tensor(p), gt_label=torch.tensor([y]),
                        pred_label=torch.tensor([int(np.argmax(p))]))
                   for p, y in zip(probs, labels)], path)


def test_confusion_matrix_from_dump(tmp_path, capsys, saved_figures):
    dump = str(tmp_path / 'preds.pkl')
    _dump(dump, [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.1, 0.2, 0.7], [0.5, 0.3, 0.2]],
          [0, 1, 2, 1])
    out = str(tmp_path / 'cm.png')
    config = tmp_path / 'three.py'  # MMAction2's order: CONFIG, then the pickle
    config.write_text("class_names = ('Happy', 'Sad', 'Neutral')\n")
    cm = _tool('confusion_matrix').main([str(config), dump, '--out', out])
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    saved = json.load(open(str(tmp_path / 'cm.json')))
    assert saved['matrix'] == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    assert saved['recall'] == {'Happy': 100.0, 'Sad': 50.0, 'Neutral': 100.0}
    assert saved['metrics']['UAR'] == pytest.approx(250 / 3)
    assert saved['metrics']['WAR'] == pytest.approx(75.0)
    (fig, path), = saved_figures
    ax = fig.axes[0]
    assert path == out
    assert [t.get_text() for t in ax.get_xticklabels()] == ['Happy', 'Sad', 'Neutral']
    assert [t.get_text() for t in ax.get_yticklabels()] == ['Happy', 'Sad', 'Neutral']
    assert (ax.get_xlabel(), ax.get_ylabel()) == ('predicted', 'true')
    assert ax.get_title() == 'UAR 83.33  WAR 75.00'
    # row-normalised percentages are what the image shows (row "Sad": 50 / 50 / 0)
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array())[1], [50.0, 50.0, 0.0])
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert cells[(1, 0)] == '50.0' and cells[(0, 0)] == '100.0' and cells[(2, 0)] == '0.0'
    assert 'UAR 83.33  WAR 75.00' in capsys.readouterr().out


def test_confusion_matrix_names_from_config_and_mismatch(tmp_path):
    dump = str(tmp_path / 'preds.pkl')
    _dump(dump, np.eye(7)[[0, 1, 2, 3, 4, 5, 6]], list(range(7)))
    tool = _tool('confusion_matrix')
    tool.main([DEMO_CONFIG, dump, '--out', str(tmp_path / 'a.png')])
    saved = json.load(open(str(tmp_path / 'a.json')))
    assert saved['class_names'] == ['Happy', 'Sad', 'Neutral', 'Angry', 'Surprise',
                                    'Disgust', 'Fear']
    assert saved['matrix'] == np.eye(7, dtype=int).tolist()
    two = tmp_path / 'two.py'
    two.write_text("class_names = ('a', 'b')\n")
    with pytest.raises(SystemExit, match='has 2 class names but .* has 7 scores per clip'):
        tool.main([str(two), dump])


def test_analyze_logs_plot_curve_reads_scalars_json(tmp_path, saved_figures):
    run = tmp_path / 'work' / '20260101_000000' / 'vis_data'
    run.mkdir(parents=True)
    lines = [dict(lr=0.002, loss=2.0, loss_contrast=1.5, epoch=1, iter=5, step=5),
             dict(lr=0.002, loss=1.5, loss_contrast=1.2, epoch=1, iter=10, step=10),
             {'dfer/UAR': 30.0, 'dfer/WAR': 35.0, 'dfer/loss': 1.7, 'step': 1},
             dict(lr=0.002, loss=1.0, loss_contrast=0.9, epoch=2, iter=20, step=20),
             {'dfer/UAR': 50.0, 'dfer/WAR': 55.0, 'dfer/loss': 1.2, 'step': 2}]
    (run / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    tool = _tool('analyze_logs')
    train, val = tool.read_scalars(str(run / 'scalars.json'))
    assert train['loss'] == [(5, 2.0), (10, 1.5), (20, 1.0)]
    # validation after epoch n sits at the last training iteration of epoch n
    assert val['dfer/UAR'] == [(10, 30.0), (20, 50.0)]
    out = tool.main(['plot_curve', str(tmp_path / 'work')])  # MMAction2's command form
    (fig, path), = saved_figures
    assert path == out and out.endswith('curves.png')
    ax_loss, ax_acc = fig.axes
    assert (ax_loss.get_title(), ax_acc.get_title()) == ('Loss', 'Accuracy (%)')
    assert ax_loss.get_xlabel() == ax_acc.get_xlabel() == 'iteration'
    loss_lines = {line.get_label(): line for line in ax_loss.get_lines()}
    assert set(loss_lines) == {'train loss', 'train loss_contrast', 'val dfer/loss'}
    assert list(loss_lines['val dfer/loss'].get_xdata()) == [10, 20]
    acc_lines = {line.get_label(): line for line in ax_acc.get_lines()}
    assert set(acc_lines) == {'val dfer/UAR', 'val dfer/WAR'}
    assert list(acc_lines['val dfer/WAR'].get_ydata()) == [35.0, 55.0]


def test_feature_map_one_backbone_pass_per_batch_with_progress(tmp_path, capfd, monkeypatch,
                                                                 saved_figures):
    from ous_mm.datasets.synthetic import generate_dataset

    data_root = str(tmp_path / 'syn')
    generate_dataset(data_root, num_clips=28, seed=0, workers=1, progress=False)
    tool = _tool('feature_map')
    import ous_mm.apis

    calls = []
    original_init = ous_mm.apis.init_ous_model

    def counting_init(*args, **kwargs):  # count backbone forwards of the model the tool builds
        model = original_init(*args, **kwargs)
        model.backbone.register_forward_hook(lambda *a: calls.append(1))
        return model

    monkeypatch.setattr(ous_mm.apis, 'init_ous_model', counting_init)
    out = str(tmp_path / 'tsne.png')
    feats = str(tmp_path / 'feats.npz')
    points = tool.main([
        DEMO_CONFIG, '--out', out, '--split', 'train', '--perplexity', '5',
        '--save-features', feats, '--cfg-options',
        f'train_dataloader.dataset.data_root={data_root}', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'train_dataloader.batch_size=8'])
    saved = np.load(feats)
    n = len(saved['labels'])
    assert n >= 10
    assert len(calls) == -(-n // 8)  # one backbone pass per batch of 8 (was two)
    assert set(points) == {'backbone', 'frames_encoder', 'aligned', 'fusion'}
    for stage, xy in points.items():
        assert xy.shape == (n, 2) and np.isfinite(xy).all()
    assert saved['fusion'].shape[0] == n and saved['backbone'].shape == (n, 64)
    (fig, path), = saved_figures
    assert path == out
    assert [ax.get_title() for ax in fig.axes] == [
        '(a) vision encoder', '(b) frames encoder', '(c) aligned (multi-loss)',
        '(d) type fusion encoder']
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    present = sorted(set(saved['labels'].tolist()))
    names = ['Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear']
    assert legend == [f'{c} {names[c]}' for c in present]
    # progress with rate and ETA on stderr (tqdm: "n/total [elapsed<remaining, rate]")
    err = capfd.readouterr().err
    assert 'features' in err and f'{n}/{n}' in err and 'clip/s' in err
    assert 't-SNE' in err and '4/4' in err
