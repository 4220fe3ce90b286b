"""benchmark_variants.py and the domain-shifted variants: the restricted tower in the frozen
regime, the variant's crop margin, and in-distribution / OOD rows in separate tables."""
import importlib.util
import json
import os

import pytest
from mmengine.config import Config

import ous_mm  # noqa: F401
from ous_mm.datasets.synthetic import variant_meta
from ous_mm.utils import apply_config_switches

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location(
        'benchmark_variants', os.path.join(ROOT, 'tools', 'analysis_tools', 'benchmark_variants.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(regime, variant, model, seed, uar):
    return dict(regime=regime, variant=variant, model=model, seed=seed, test_uar=uar,
                test_war=uar, best_val=uar, test_plateau=False, ended_on_plateau=False,
                best_epoch=5, converged_epoch=4, plateau_epochs=0,
                val_series=[40.0, 60.0, uar, uar])


def _crop_step(cfg):
    return next(s for s in cfg.train_dataloader.dataset.pipeline if s.type == 'FaceSceneSplit')


def test_child_config_writes_the_variants_crop_margin(bench, tmp_path):
    recipe = bench.RECIPES['trained']['ous']
    for name, margin in (('ood_faces', 0.3), ('base', 0.1)):
        meta = variant_meta(name, num_clips=28)
        path = bench.child_config(str(tmp_path / f'{name}.py'), recipe, '/data/x', meta)
        step = _crop_step(apply_config_switches(Config.fromfile(path)))
        assert step.margin == margin and step.on_no_face == 'raise', name
    assert 'face_crop' not in open(tmp_path / 'base.py').read()  # earlier variants: unchanged


def test_report_puts_in_distribution_and_ood_rows_in_separate_tables(bench, tmp_path):
    """From result.json files of both regimes: JSON tables and Markdown tables per domain."""
    metas = {v: variant_meta(v, num_clips=28) for v in ('base', 'ood_both')}
    for regime in ('frozen', 'trained'):
        for variant, ous in (('base', 90.0), ('ood_both', 70.0)):
            for model, uar in (('ous', ous), ('face_only', 60.0)):
                run = tmp_path / regime / variant / model / 'seed0'
                run.mkdir(parents=True)
                result = _result(regime, variant, model, 0, uar)
                (run / 'result.json').write_text(json.dumps(result))
    results = [json.loads(p.read_text()) for p in sorted(tmp_path.rglob('result.json'))]
    summary = bench.summarize(results, metas)
    tables = summary['tables']
    assert {(r['regime'], r['variant']) for r in tables['in_distribution']} == {
        ('frozen', 'base'), ('trained', 'base')}
    assert {(r['regime'], r['variant']) for r in tables['ood']} == {
        ('frozen', 'ood_both'), ('trained', 'ood_both')}
    frozen_ood = next(r for r in tables['ood'] if r['regime'] == 'frozen')
    assert frozen_ood['tower'] == 'restricted' and frozen_ood['margin'] == pytest.approx(10.0)
    assert next(r for r in tables['ood'] if r['regime'] == 'trained')['tower'] == 'from scratch'
    text = bench.markdown(summary, ['ous', 'face_only'])
    blocks = text.split('\n**Regime: ')[1:]
    assert [b.split('**')[0].split(',')[0] for b in blocks] == ['frozen', 'frozen', 'trained',
                                                               'trained']
    for block in blocks:
        title = block.split('**')[0]
        ood = 'domain-shifted' in title
        assert ('| ood_both |' in block) == ood and ('| base |' in block) == (not ood)
        if ood:
            tower = 'restricted corpus' if title.startswith('frozen') else 'from scratch'
            assert tower in title, title
    # a summary of earlier rows (no domain field) still gives one table per regime
    old = [{k: v for k, v in r.items() if k not in ('domain', 'tower')} for r in summary['rows']]
    assert bench.markdown(dict(rows=old), ['ous']).count('**Regime: ') == 2


def test_frozen_ood_variants_are_read_by_the_restricted_tower(bench, tmp_path, monkeypatch):
    """run_benchmark with the tools stubbed: one tower per corpus, the restricted one for the
    ood variant's features and runs, none in the trained regime."""
    towers, extracted, jobs = [], {}, []
    monkeypatch.setattr(bench, 'ensure_variant',
                        lambda name, root, n, seed: variant_meta(name, num_clips=n, seed=seed))

    def pretrained_clip(log_file, corpus='full'):
        towers.append(corpus)
        return f'/towers/{corpus}.pt'

    def extract_features(config, root, log_file, views, pretrained, threads):
        extracted[os.path.basename(os.path.dirname(root))] = pretrained

    def run_one(job):
        jobs.append(job)
        return _result(job['regime'], job['variant'], job['model'], job['seed'], 50.0)

    monkeypatch.setattr(bench, 'pretrained_clip', pretrained_clip)
    monkeypatch.setattr(bench, 'extract_features', extract_features)
    monkeypatch.setattr(bench, 'run_one', run_one)
    args = bench.parse_args(['--variants', 'base', 'ood_scenes', '--regimes', 'frozen', 'trained',
                             '--out', str(tmp_path / 'out'), '--num-clips', '28', '--jobs', '1'])
    assert args.seeds == [0, 1, 2]
    summary = bench.run_benchmark(args)
    assert sorted(towers) == ['full', 'restricted']
    assert extracted == {'base': '/towers/full.pt', 'ood_scenes': '/towers/restricted.pt'}
    for job in jobs:
        tower = [o for o in job['cfg_options'] if o.startswith('model.backbone.pretrained=')]
        if job['regime'] == 'trained':
            assert tower == []
        else:
            name = 'restricted' if job['variant'] == 'ood_scenes' else 'full'
            assert tower == [f'model.backbone.pretrained=/towers/{name}.pt']
    assert len(jobs) == 2 * 2 * 2 * 3
    saved = json.loads((tmp_path / 'out' / 'variants.json').read_text())
    assert {r['variant'] for r in saved['tables']['ood']} == {'ood_scenes'}
    assert 'domain-shifted' in (tmp_path / 'out' / 'variants.md').read_text()
    # a tower given on the command line is used as it is
    towers.clear()
    bench.run_benchmark(bench.parse_args([
        '--variants', 'ood_scenes', '--regimes', 'frozen', '--out', str(tmp_path / 'o2'),
        '--num-clips', '28', '--pretrained-restricted', '/mine.pt']))
    assert towers == [] and extracted['ood_scenes'] == '/mine.pt'
