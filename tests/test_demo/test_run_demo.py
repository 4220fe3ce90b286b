"""tools/run_demo.py and tools/analysis_tools/benchmark_variants.py: one recipe per regime, the
variant table, checkpoint choice, resumable runs."""
import importlib.util
import json
import os
import re
import time

import pytest
from mmengine.config import Config

import ous_mm  # noqa: F401
from ous_mm.utils import apply_config_switches

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, 'configs', 'ous', 'demo')


def _load(name, *parts):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, *parts))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def bench():
    return _load('benchmark_variants', 'tools', 'analysis_tools', 'benchmark_variants.py')


@pytest.mark.parametrize('regime', ['demo', 'frozen'])
def test_recipe_configs_differ_only_in_the_scene_stream(regime):
    ous = Config.fromfile(os.path.join(DEMO, f'ous_{regime}_synthetic.py'))
    face = Config.fromfile(os.path.join(DEMO, f'face_only_{regime}_synthetic.py'))
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'train_dataloader',
                'val_dataloader', 'test_dataloader', 'default_hooks', 'custom_hooks',
                'randomness', 'clip_len', 'img_size'):
        assert ous.get(key) == face.get(key), key
    assert ous.model.use_scene and not face.model.use_scene
    assert ous.model.backbone == face.model.backbone
    assert ous.model.backbone.frozen == (regime == 'frozen')
    # both pick their test checkpoint by validation UAR
    assert ous.default_hooks.checkpoint.save_best == 'dfer/UAR'
    assert ous.default_hooks.checkpoint.rule == 'greater'


@pytest.mark.parametrize('regime', ['demo', 'frozen'])
def test_recipes_drop_eq2_and_the_documented_override_restores_it(regime):
    """Both demo recipes leave L_similarity out (measured, docs/method.md); the
    --cfg-options line in ous_frozen_synthetic.py must bring the paper's loss back."""
    from mmengine.config import DictAction
    from mmaction.registry import MODELS
    import argparse
    path = os.path.join(DEMO, f'ous_{regime}_synthetic.py')
    cfg = Config.fromfile(path)
    assert cfg.model.cls_head.loss_cls.similarity is None
    with open(os.path.join(DEMO, 'ous_frozen_synthetic.py'), encoding='utf-8') as f:
        options = re.findall(r'model\.cls_head\.loss_cls\.similarity\S*=\S+', f.read())
    assert len(options) == 2, options
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options', *options]).cfg_options)
    loss = MODELS.build(cfg.model.cls_head.loss_cls)
    assert type(loss.similarity).__name__ == 'SimilarityLoss'


def test_best_checkpoint_prefers_best_uar(bench, tmp_path):
    for name in ('epoch_3.pth', 'best_dfer_loss_epoch_2.pth', 'best_dfer_UAR_epoch_1.pth'):
        (tmp_path / name).write_bytes(b'x')
        time.sleep(0.01)
    assert bench.best_checkpoint(str(tmp_path)).endswith('best_dfer_UAR_epoch_1.pth')
    os.remove(tmp_path / 'best_dfer_UAR_epoch_1.pth')
    assert bench.best_checkpoint(str(tmp_path)).endswith('epoch_3.pth')
    with pytest.raises(RuntimeError, match='no checkpoint'):
        bench.best_checkpoint(str(tmp_path / 'empty'))


def test_child_config_points_the_recipe_at_a_variant(bench, tmp_path):
    meta = dict(class_names=['Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear'],
                polarity_map=dict(Happy='positive', Surprise='positive', Neutral='neutral',
                                  Sad='negative', Angry='negative', Disgust='negative',
                                  Fear='negative'))
    path = bench.child_config(str(tmp_path / 'c.py'), 'configs/ous/demo/ous_frozen_synthetic.py',
                              '/data/syn_x', meta, "model = dict(neck=dict(fusion='avgpool'))\n",
                              feature_root='/feat/x')
    cfg = apply_config_switches(Config.fromfile(path))
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.data_root == '/data/syn_x'
        assert dataset.polarity_map['Surprise'] == 'positive'
        assert dataset.pipeline[0].store == f'/feat/x/{split}'
    assert cfg.model.neck.fusion == 'avgpool' and cfg.model.backbone.frozen


def _result(variant, model, seed, uar, plateau=False, best_val=None):
    return dict(regime='trained', variant=variant, model=model, seed=seed, test_uar=uar,
                best_val=uar if best_val is None else best_val,
                test_war=uar, test_plateau=plateau, ended_on_plateau=plateau, best_epoch=5,
                converged_epoch=4 if model == 'ous' else 8, plateau_epochs=3 if plateau else 0)


def test_summary_margin_targets_and_plateau_counts(bench):
    caps = dict(face_only=dict(test=75.0), scene_only=dict(test=42.86))
    metas = {v: dict(caps=caps, spec=dict(hard=v == 'hard', holdout=False))
             for v in ('easy', 'hard', 'capped')}
    results = [_result('easy', 'ous', s, u) for s, u in ((0, 90.0), (1, 80.0))]
    results += [_result('easy', 'face_only', s, 60.0) for s in (0, 1)]
    results += [_result('hard', 'ous', 0, 42.86, plateau=True),
                _result('hard', 'ous', 1, 39.3, best_val=47.0),  # off the exact pattern, stuck
                _result('hard', 'face_only', 0, 50.0)]
    results += [_result('capped', 'ous', 0, 75.0), _result('capped', 'face_only', 0, 75.0)]
    rows = {r['variant']: r for r in bench.summarize(results, metas)['rows']}
    assert rows['easy']['margin'] == pytest.approx(25.0) and rows['easy']['meets_target']
    assert rows['hard']['margin'] == pytest.approx(41.08 - 50.0) and not rows['hard']['meets_target']
    assert rows['hard']['models']['ous']['plateau_runs'] == 1
    assert rows['hard']['models']['ous']['stuck_runs'] == 2
    assert rows['easy']['models']['ous']['stuck_runs'] == 0
    # face-only at its cap: OUS only has to be at least as good
    assert not rows['capped']['face_only_below_cap'] and rows['capped']['meets_target']
    text = bench.markdown(dict(rows=list(rows.values())), ['ous', 'face_only'])
    assert '| easy | 75.0 | 42.9 | 85.0 ± 7.1 | 60.0 ± 0.0 | +25.0 |' in text
    assert '| hard (hard) |' in text and '| 1/3 | 2/2 | 0/3 | NO |' in text
    assert '| 0/4 | 0/2 | 0/4 | yes |' in text
    conv = bench.convergence_markdown(dict(rows=list(rows.values())), ['ous', 'face_only'])
    assert '| trained | ous | 65.4 | 4.0 | 5.0 | 5 |' in conv
    assert '| trained | face_only | 61.2 | 8.0 | 5.0 | 4 |' in conv


def test_demo_table_has_uar_war_recall_delta_and_paths(capsys):
    demo = _load('run_demo', 'tools', 'run_demo.py')
    names = ['Happy', 'Sad']
    rows = [dict(name='ous', uar=80.0, war=82.5, recall={'Happy': 90.0, 'Sad': 70.0},
                 class_names=names, confusion_png='/w/ous/test.png'),
            dict(name='face_only', uar=60.0, war=61.0, recall={'Happy': 100.0, 'Sad': 20.0},
                 class_names=names, confusion_png='/w/face/test.png')]
    text = demo.print_table(rows)
    assert 'ous          80.00  82.50      90.0     70.0' in text
    assert 'UAR +20.00, WAR +21.50 points' in text
    assert '/w/ous/test.png' in text and '/w/face/test.png' in text


def test_benchmark_runs_trains_tests_and_resumes(bench, tmp_path, capsys):
    """One tiny variant, both models, 1 epoch: the whole tool through the real tools."""
    args = bench.parse_args(['--variants', 'base', '--regimes', 'trained', '--seeds', '0',
                             '--out', str(tmp_path / 'out'), '--data-root', str(tmp_path),
                             '--num-clips', '28', '--jobs', '2',
                             '--cfg-options', 'train_cfg.max_epochs=1'])
    summary = bench.run_benchmark(args)
    assert not summary['failures']
    assert sorted(r['model'] for r in summary['results']) == ['face_only', 'ous']
    for res in summary['results']:
        assert 0.0 <= res['test_uar'] <= 100.0 and res['best_epoch'] == 1
        assert set(res['recall']) == {'Happy', 'Sad', 'Neutral', 'Angry', 'Surprise',
                                      'Disgust', 'Fear'}
        assert isinstance(res['test_plateau'], bool) and res['epochs'] == 1
        assert not any(f.endswith('.pth') for f in os.listdir(
            tmp_path / 'out' / 'trained' / 'base' / res['model'] / 'seed0'))
    saved = json.loads((tmp_path / 'out' / 'variants.json').read_text())
    assert saved['rows'][0]['variant'] == 'base' and 'margin' in saved['rows'][0]
    assert '| base |' in (tmp_path / 'out' / 'variants.md').read_text()
    # a repeated command finds result.json and trains nothing
    start = time.time()
    again = bench.run_benchmark(args)
    assert time.time() - start < 30
    assert [r['test_uar'] for r in again['results']] == [r['test_uar'] for r in summary['results']]


def test_demo_default_is_the_frozen_regime_and_publishes_its_zoo_models(tmp_path, capsys):
    """`make demo`'s default regime end to end (--quick: 1 epoch, one variant), with a
    random tower of the tiny arch standing in for the pretrained one: features cached,
    both models trained and tested, checkpoints published under the frozen zoo names."""
    import open_clip
    import torch
    demo = _load('run_demo', 'tools', 'run_demo.py')
    assert demo.DEMO_REGIME == 'frozen' and len(demo.DEMO_VARIANTS) >= 2
    arch = Config.fromfile(os.path.join(ROOT, 'configs/_base_/models/ous_tiny.py')).tiny_clip
    torch.manual_seed(0)
    clip = tmp_path / 'clip.pt'
    torch.save(open_clip.CLIP(**arch.to_dict()).state_dict(), clip)
    out = demo.main(['--quick', '--num-clips', '28', '--work-dir', str(tmp_path / 'w'),
                     '--data-root', str(tmp_path / 'data'), '--pretrained', str(clip)])
    assert out['regime'] == 'frozen' and out['variants'] == ['base']
    assert (tmp_path / 'w' / 'seed0' / 'frozen' / 'base' / 'features' / 'train').is_dir()
    names = {os.path.basename(p['path']) for p in out['published'].values()}
    assert {n.split('-')[0] for n in names} == {'ous_frozen_synthetic_seed0',
                                                 'face_only_frozen_synthetic_seed0'}
    printed = capsys.readouterr().out
    assert 'Every variant' in printed and '| base |' in printed
    # the published frozen model loads by its config alone: the frozen towers are in it
    from ous_mm.apis import init_ous_model
    path = out['published']['ous']['path']
    model = init_ous_model(os.path.join(DEMO, 'ous_frozen_synthetic.py'), path)
    saved = open_clip.CLIP(**arch.to_dict())
    saved.load_state_dict(torch.load(clip, weights_only=True))
    assert torch.equal(model.backbone.visual.conv1.weight, saved.visual.conv1.weight)
