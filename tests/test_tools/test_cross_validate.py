"""tools/cross_validate.py: the k-fold protocol as one command, resumable, and its slurm array.

End to end on a generated DFEW in the official layout (5 folds, real media, tiny CLIP,
2 epochs): a run killed in fold 3 and run again continues at fold 3, leaves folds 1-2
untouched and gives the table an uninterrupted run gives.
"""
import json
import os
import os.path as osp
import signal
import stat
import statistics
import subprocess
import sys

import pytest

import ous_mm  # noqa: F401
from ous_mm.evaluation.cross_validation import (CrossValidationError, best_checkpoint,
                                                config_folds, extraction_jobs,
                                                fold_cfg_options, fold_feature_stores,
                                                paper_row, results_markdown, summarize_folds)
from tests.test_datasets.layout_fixtures import build_dfew_playable
from tests.test_datasets.video_fixtures import load_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'cross_validate.py')
CLASSES = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')


def _cfg(path):
    from mmengine.config import Config
    return Config.fromfile(osp.join(ROOT, path), import_custom_modules=False)


def test_folds_of_the_benchmark_configs():
    assert config_folds(_cfg('configs/ous/ous_vitl14_dfew.py')) == [1, 2, 3, 4, 5]
    assert config_folds(_cfg('configs/ous/ous_vitl14_mafw.py')) == [1, 2, 3, 4, 5]
    assert config_folds(_cfg('configs/ous/ous_vitl14_ferv39k.py')) == [None]
    cfg = _cfg('configs/ous/ous_vitl14_dfew.py')
    cfg.num_folds = None
    with pytest.raises(CrossValidationError, match='num_folds'):
        config_folds(cfg)
    assert fold_cfg_options(3) == ['train_dataloader.dataset.fold=3',
                                   'val_dataloader.dataset.fold=3',
                                   'test_dataloader.dataset.fold=3']
    assert fold_cfg_options(None) == []


def test_feature_stores_per_fold_and_validation_shares_the_test_store(tmp_path):
    cfg = _cfg('configs/ous/ous_vitl14_dfew.py')
    stores = fold_feature_stores(cfg, 3, str(tmp_path))
    assert stores == {'train': str(tmp_path / 'fold3' / 'train'),
                      'val': str(tmp_path / 'fold3' / 'test'),
                      'test': str(tmp_path / 'fold3' / 'test')}
    assert [j['split'] for j in extraction_jobs(stores)] == ['train', 'val']
    assert cfg.get('feature_cache') is None  # the caller's config is not edited
    ferv = fold_feature_stores(_cfg('configs/ous/ous_vitl14_ferv39k.py'), None, str(tmp_path))
    assert ferv['train'] == str(tmp_path / 'train')


def test_summary_statistics_and_the_paper_row():
    runs = {f'fold{k}': dict(UAR=u, WAR=w, class_names=['a', 'b'], recall=dict(a=ra, b=rb),
                             checkpoint=f'c{k}.pth', checkpoint_kind='best', config='x.py',
                             cfg_options=[])
            for k, u, w, ra, rb in ((1, 50.0, 60.0, 40.0, 60.0), (2, 70.0, 65.0, 80.0, 60.0),
                                    (4, 60.0, 70.0, 70.0, None))}
    summary = summarize_folds('x.py', [1, 2, 3, 4, 5], runs,
                              paper=dict(UAR=60.94, WAR=74.1, source='paper, Table II'))
    assert summary['missing'] == ['fold3', 'fold5'] and summary['finished'] == ['fold1', 'fold2',
                                                                                 'fold4']
    assert summary['mean']['UAR'] == dict(mean=60.0, sd=statistics.stdev([50, 70, 60]), n=3)
    assert summary['mean']['recall']['b'] == dict(mean=60.0, sd=0.0, n=2)  # None left out
    md = results_markdown(summary)
    assert '| fold3 | not run yet |' in md and '60.00 ± 10.00' in md
    assert '| paper (paper, Table II) | 60.94 | 74.10 |' in md
    assert paper_row('configs/ous/ous_vitl14_dfew.py') == dict(
        UAR=60.94, WAR=74.1, source='paper, Table II', dataset='DFEW')
    assert paper_row('configs/ous/ous_tiny_synthetic.py') is None


def test_best_checkpoint_prefers_the_validation_metric(tmp_path):
    # the paper keeps the lowest validation loss; best UAR on request
    for name in ('epoch_2.pth', 'best_dfer_loss_epoch_2.pth', 'best_dfer_UAR_epoch_1.pth'):
        (tmp_path / name).write_bytes(b'x')
    assert best_checkpoint(str(tmp_path))['path'].endswith('best_dfer_loss_epoch_2.pth')
    assert best_checkpoint(str(tmp_path), 'dfer/UAR')['path'].endswith('best_dfer_UAR_epoch_1.pth')
    os.remove(tmp_path / 'best_dfer_UAR_epoch_1.pth')
    os.remove(tmp_path / 'best_dfer_loss_epoch_2.pth')
    assert best_checkpoint(str(tmp_path))['kind'] == 'last epoch'
    os.remove(tmp_path / 'epoch_2.pth')
    with pytest.raises(CrossValidationError, match='no checkpoint'):
        best_checkpoint(str(tmp_path))


def test_dry_run_caches_features_per_fold_then_trains_from_them(tmp_path, capsys):
    tool = load_tool(TOOL)
    cache = str(tmp_path / 'feats')
    assert tool.main(['configs/ous/ous_vitl14_dfew.py', '--work-dir', str(tmp_path / 'wd'),
                      '--feature-cache', cache, '--folds', '2', '--views', '4',
                      '--dry-run']) == 0
    lines = capsys.readouterr().out.splitlines()
    steps = [line for line in lines if line.startswith('fold2: python ')]
    assert [s.split()[2] for s in steps] == ['tools/extract_features.py',
                                            'tools/extract_features.py',
                                            'tools/train.py', 'tools/test.py']
    assert f'--out {cache}/fold2/train --split train --views 4' in steps[0]
    assert f'--out {cache}/fold2/test --split val --views 1' in steps[1]
    for step in steps:
        assert 'train_dataloader.dataset.fold=2 val_dataloader.dataset.fold=2 ' \
               'test_dataloader.dataset.fold=2' in step
    assert steps[0].endswith('feature_cache=None')  # extraction reads the videos
    assert steps[2].endswith(f'feature_cache={cache}') and '--resume' in steps[2]
    assert steps[3].endswith(f'feature_cache={cache}')


# ------------------------------------------------------------------ end to end
TINY = """_base_ = ['{root}/configs/_base_/models/ous_tiny.py',
          '{root}/configs/_base_/datasets/dfew.py',
          '{root}/configs/_base_/schedules/ous_adam_60e.py']
clip_len = 4
img_size = 64
model = dict(cls_head=dict(class_names={{{{_base_.class_names}}}}),
             neck=dict(frames_encoder=dict(max_frames=4)))
train_cfg = dict(max_epochs=2)
loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
# the deterministic pipeline for training too, so a resumed epoch equals an uninterrupted one
train_dataloader = dict(**loader, dataset=dict(data_root={data!r},
                                               pipeline={{{{_base_.val_pipeline}}}}))
val_dataloader = dict(**loader, dataset=dict(data_root={data!r}))
test_dataloader = val_dataloader
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(max_keep_ckpts=1))
"""


@pytest.fixture(scope='module')
def dfew_config(tmp_path_factory):
    from ous_mm.datasets.layouts.convert import convert_dataset
    base = tmp_path_factory.mktemp('cv')
    data = str(base / 'dfew')
    splits = build_dfew_playable(data)
    result = convert_dataset('dfew', data)
    assert result.exit_code == 0, result.errors
    config = base / 'tiny_dfew.py'
    config.write_text(TINY.format(root=ROOT, data=data))
    return str(config), splits, base


def _cv(*args, **env):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', **env)
    # a session of its own: a fault point with OUS_FAULT_SCOPE=group kills the tool and its
    # children, as a scheduler's pre-emption does, and not pytest
    return subprocess.run([sys.executable, TOOL, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, start_new_session=True)


def _run_in_process(monkeypatch, tool, *args):
    import runpy
    monkeypatch.setattr(sys, 'argv', [tool, *args])
    monkeypatch.chdir(ROOT)
    runpy.run_path(osp.join(ROOT, tool), run_name='__main__')


def test_killed_in_fold_3_the_rerun_continues_there_and_gives_the_same_table(
        dfew_config, monkeypatch, capsys):
    config, splits, base = dfew_config
    work = str(base / 'killed')
    # killed -9 with its training child at fold 3's 4th iteration (epoch 2 of 2, 3 per
    # epoch): epoch 1 is checkpointed and validated, epoch 2 is lost
    killed = _cv(config, '--work-dir', work, OUS_FAULT_POINT='train_iter@4',
                 OUS_FAULT_MATCH=f'{os.sep}fold3{os.sep}', OUS_FAULT_SCOPE='group')
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-3000:] + killed.stderr[-3000:]
    assert 'fold3: training' in killed.stdout and 'fold4' not in killed.stdout
    assert not osp.exists(osp.join(work, 'fold3', 'result.json'))
    assert osp.exists(osp.join(work, 'fold3', 'train', 'epoch_1.pth'))
    assert not osp.exists(osp.join(work, 'fold3', 'train', 'epoch_2.pth'))
    finished = {k: open(osp.join(work, f'fold{k}', 'result.json')).read() for k in (1, 2)}

    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    assert load_tool(TOOL).main([config, '--work-dir', work, '--jobs', '2']) == 0
    out = capsys.readouterr().out
    assert 'fold1: finished before, skipped' in out and 'fold2: finished before, skipped' in out
    assert 'fold3: training (resumes' in out
    for k in (1, 2):  # not run again
        assert open(osp.join(work, f'fold{k}', 'result.json')).read() == finished[k]
    # fold 3 resumed from epoch 1: its second training run validated epoch 2 only
    runs = sorted(d for d in os.listdir(osp.join(work, 'fold3', 'train')) if d[:1].isdigit())
    assert len(runs) == 2
    with open(osp.join(work, 'fold3', 'train', runs[1], 'vis_data', 'scalars.json')) as f:
        validated = [r['step'] for r in map(json.loads, f) if 'dfer/UAR' in r]
    assert validated == [2]

    with open(osp.join(work, 'results.json')) as f:
        summary = json.load(f)
    assert summary['folds'] == [f'fold{k}' for k in range(1, 6)] and not summary['missing']
    uars = [summary['per_fold'][f'fold{k}']['UAR'] for k in range(1, 6)]
    assert summary['mean']['UAR']['mean'] == pytest.approx(statistics.fmean(uars))
    assert summary['mean']['UAR']['sd'] == pytest.approx(statistics.stdev(uars))
    for k in range(1, 6):
        r = summary['per_fold'][f'fold{k}']
        assert r['class_names'] == list(CLASSES)
        assert sum(r['support']) == len(splits[f'set_{k}_test'])  # the fold's own test list
        present = [r['recall'][c] for c, n in zip(CLASSES, r['support']) if n]
        assert r['UAR'] == pytest.approx(statistics.fmean(present), abs=1e-4)
        assert osp.isfile(r['checkpoint']) and 'best_dfer_loss' in r['checkpoint']  # the default
        assert f'test_dataloader.dataset.fold={k}' in r['cfg_options']
    md = open(osp.join(work, 'results.md')).read()
    assert md.count('| fold') >= 10 and '**mean ± sd** (n=5)' in md

    # the same result as fold 3 trained and tested without interruption, by the same
    # tools with the same options (in this process: no interpreter start-up)
    import torch
    torch.set_num_threads(1)  # as the tool's children (OMP_NUM_THREADS=1)
    reference = str(base / 'reference')
    options = summary['per_fold']['fold3']['cfg_options']
    _run_in_process(monkeypatch, 'tools/train.py', config, '--work-dir', reference, '--seed', '0',
                    '--cfg-options', *options)
    ckpt = best_checkpoint(reference)['path']
    assert osp.basename(ckpt) == osp.basename(summary['per_fold']['fold3']['checkpoint'])
    _run_in_process(monkeypatch, 'tools/test.py', config, ckpt, '--work-dir',
                    osp.join(reference, 'test'), '--cfg-options', *options)
    from ous_mm.evaluation.cross_validation import read_test_result
    uninterrupted = read_test_result(osp.join(reference, 'test'))
    for key in ('UAR', 'WAR', 'recall', 'support'):
        assert uninterrupted[key] == summary['per_fold']['fold3'][key], key


def test_a_cached_run_extracts_the_folds_stores_and_trains_from_them(dfew_config, capsys,
                                                                     monkeypatch):
    config, splits, base = dfew_config
    cache, work = str(base / 'features'), str(base / 'cached')
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    assert load_tool(TOOL).main([config, '--work-dir', work, '--folds', '2',
                                 '--feature-cache', cache]) == 0
    out = capsys.readouterr().out
    assert f'caching train features -> {cache}/fold2/train' in out
    assert f'caching val features -> {cache}/fold2/test' in out  # validation = the test list
    for split in ('train', 'test'):
        with open(osp.join(cache, 'fold2', split, 'index.json')) as f:
            assert sorted(json.load(f)['clip_ids']) == sorted(splits[f'set_2_{split}'])
    log = open(osp.join(work, 'fold2', 'run.log')).read()
    assert f'feature_cache: train <- {cache}/fold2/train, val <- {cache}/fold2/test' in log
    summary = json.load(open(osp.join(work, 'results.json')))
    assert summary['finished'] == ['fold2'] and sum(summary['per_fold']['fold2']['support']) == 3


def _fake_bin(folder, name, body):
    path = osp.join(folder, name)
    with open(path, 'w') as f:
        f.write('#!/usr/bin/env bash\n' + body + '\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)


# sbatch: log the call, print a job id, and run an array's --wrap once per task id (as
# slurm does), with srun recording its command line instead of running it.
SBATCH = r'''
log="$FAKE_SLURM/sbatch.calls"; echo "$@" >> "$log"
array=""; wrap=""
for a in "$@"; do
  case "$a" in --array=*) array="${a#--array=}";; --wrap=*) wrap="${a#--wrap=}";; esac
done
n=$(wc -l < "$log"); echo "100$n"
if [ -n "$array" ]; then
  for i in $(seq "${array%-*}" "${array#*-}"); do SLURM_ARRAY_TASK_ID=$i bash -c "$wrap"; done
fi
'''
SRUN = r'''
args=(); for a in "$@"; do [ ${#args[@]} -eq 0 ] && [[ "$a" == -* ]] && continue; args+=("$a"); done
printf '%s\n' "${args[@]}" > "$FAKE_SLURM/task_$SLURM_ARRAY_TASK_ID.argv"
'''


def test_slurm_array_launches_one_task_per_fold(tmp_path, capsys):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    _fake_bin(str(bin_dir), 'sbatch', SBATCH)
    _fake_bin(str(bin_dir), 'srun', SRUN)
    env = dict(os.environ, PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
               PYTHON=sys.executable, FAKE_SLURM=str(tmp_path))
    env.pop('CPUS_PER_TASK', None)
    work = str(tmp_path / 'wd')
    proc = subprocess.run(['bash', 'tools/slurm_cross_validate.sh', 'gpu', 'cv_dfew',
                           'configs/ous/ous_vitl14_dfew.py', work, '--seed', '1'],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'submitted array job 1001 (5 folds) and table job 1002' in proc.stdout
    calls = (tmp_path / 'sbatch.calls').read_text().splitlines()
    assert len(calls) == 2
    assert '--array=0-4' in calls[0] and '--gres=gpu:1' in calls[0]
    workers = _cfg('configs/ous/ous_vitl14_dfew.py').train_dataloader.num_workers
    assert f'--cpus-per-task={workers + 1}' in calls[0]  # the config's train workers + 1
    assert '--dependency=afterany:1001' in calls[1] and '--summarize' in calls[1]
    tool = load_tool(TOOL)
    for i in range(5):
        argv = (tmp_path / f'task_{i}.argv').read_text().splitlines()
        assert argv[:3] == [sys.executable, '-u', TOOL]
        assert argv[-4:] == ['--seed', '1', '--fold-index', str(i)]
        assert tool.main(argv[3:] + ['--dry-run']) == 0  # what the task would run
        steps = capsys.readouterr().out.splitlines()
        assert steps and all(s.startswith(f'fold{i + 1}: python ') for s in steps)
        assert f'test_dataloader.dataset.fold={i + 1}' in steps[-1]
        assert f'--work-dir {work}/fold{i + 1}/train' in steps[0]


def test_bad_fold_requests_and_a_reused_work_dir_are_refused(tmp_path, capsys):
    tool = load_tool(TOOL)
    with pytest.raises(SystemExit, match=r'--folds \[7\]: .* has folds \[1, 2, 3, 4, 5\]'):
        tool.main(['configs/ous/ous_vitl14_dfew.py', '--folds', '7', '--dry-run'])
    with pytest.raises(SystemExit, match='one split'):
        tool.main(['configs/ous/ous_vitl14_ferv39k.py', '--folds', '1', '--dry-run'])
    with pytest.raises(SystemExit, match='--fold-index 5 outside 0..4'):
        tool.main(['configs/ous/ous_vitl14_dfew.py', '--fold-index', '5', '--dry-run'])
    # a fold folder of another experiment: stop before running anything into it
    fold = tmp_path / 'wd' / 'fold1'
    fold.mkdir(parents=True)
    (fold / 'fold.json').write_text(json.dumps(dict(config='/elsewhere/other.py')))
    assert tool.main(['configs/ous/ous_vitl14_dfew.py', '--work-dir', str(tmp_path / 'wd'),
                      '--folds', '1']) == 1
    out = capsys.readouterr()
    assert 'fold.json: this fold was run with other settings' in out.out
    assert not (fold / 'train').exists()
    summary = json.loads((tmp_path / 'wd' / 'results.json').read_text())
    assert summary['missing'] == ['fold1', 'fold2', 'fold3', 'fold4', 'fold5']
