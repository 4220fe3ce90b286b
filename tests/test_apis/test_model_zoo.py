"""The model zoo: metafile generated from the configs, model-index.yml, package data,
zoo look-up errors and checkpoint resolution (also for a `make demo` run on this machine)."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

import ous_mm  # noqa: F401
from ous_mm.apis import init_ous_model
from ous_mm.utils import (CheckpointError, file_sha256, find_zoo_config, find_zoo_model,
                          load_metafiles, publish_checkpoint, resolve_zoo_checkpoint)
from ous_mm.utils.model_zoo import REPO_ROOT


def _tool():
    path = os.path.join(REPO_ROOT, 'tools', 'misc', 'gen_metafile.py')
    spec = importlib.util.spec_from_file_location('gen_metafile', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def test_metafile_is_what_the_generator_writes():
    path = os.path.join(REPO_ROOT, 'configs', 'ous', 'metafile.yml')
    current = _read(path)
    assert _tool().render(REPO_ROOT, current) == current, \
        'configs/ous/metafile.yml is stale: run python tools/misc/gen_metafile.py'


def test_generator_reads_the_config_not_the_old_row(tmp_path):
    """A config change shows up in its generated row: the drift test can fail."""
    shutil.copytree(os.path.join(REPO_ROOT, 'configs'), tmp_path / 'configs')
    config = tmp_path / 'configs/ous/ous_tiny_synthetic.py'
    config.write_text(config.read_text().replace('max_epochs=20', 'max_epochs=7')
                      + 'clip_len = 3\n')
    row = _tool().derived_row('configs/ous/ous_tiny_synthetic.py', str(tmp_path))
    assert row['Metadata']['Epochs'] == 7 and row['Metadata']['Frames'] == 3
    assert find_zoo_model('ous_tiny_synthetic')['Metadata']['Epochs'] == 20


def test_frozen_demo_rows_name_where_the_tower_comes_from():
    """The frozen demo configs get their pretrained file at run time; their row must not
    read 'random init' beside 'Backbone: frozen' (a frozen random tower)."""
    for name in ('ous_frozen_synthetic', 'face_only_frozen_synthetic'):
        meta = _tool().derived_row(f'configs/ous/demo/{name}.py')['Metadata']
        assert meta['Backbone'] == 'frozen'
        assert meta['Pretrained'] == 'tiny CLIP pretrained here (tools/pretrain_clip.py)'
    assert _tool().derived_row('configs/ous/ous_tiny_synthetic.py')['Metadata'][
        'Pretrained'] == 'None (random init)'


def test_every_config_has_a_row_with_upstream_fields():
    models = load_metafiles()
    configs = {m['Config'] for m in models}
    on_disk = {os.path.relpath(p, REPO_ROOT) for p in
               __import__('glob').glob(os.path.join(REPO_ROOT, 'configs', 'ous', '**', '*.py'),
                                       recursive=True)}
    assert on_disk == configs, sorted(on_disk ^ configs)
    for m in models:
        assert os.path.isfile(os.path.join(REPO_ROOT, m['Config'])), m['Config']
        assert {'Name', 'In Collection', 'Metadata', 'Modality', 'Results', 'Weights'} <= set(m)
        assert 'Modality' not in m['Metadata']  # MMAction2 keeps it at the model's top level
        result = m['Results'][0]
        assert result['Task'] == 'Dynamic Facial Expression Recognition'
        assert set(result['Metrics']) == {'UAR', 'WAR'}
    with open(models[0]['_metafile'], encoding='utf-8') as f:
        collections = yaml.safe_load(f)['Collections']
    for collection in collections:
        assert collection['Paper']['URL'] == 'https://arxiv.org/abs/2405.18769'
    assert find_zoo_model('ous_vitl14_dfew')['Results'][0]['Metrics'] == \
        {'UAR': 60.94, 'WAR': 74.10}
    assert find_zoo_model('ous_vitl14_ferv39k')['Results'][0]['Metrics'] == \
        {'UAR': 42.43, 'WAR': 53.30}
    face = find_zoo_model('face_only_vitl14_dfew')['Metadata']
    assert (face['Streams'], face['Frames'], face['Resolution']) == ('face only', 16, '224x224')
    demo = find_zoo_model('ous_demo_synthetic')['Metadata']
    assert (demo['Frames'], demo['Backbone']) == (4, 'trained')


def test_model_index_lists_our_metafiles_for_openmim():
    index = yaml.safe_load(_read(os.path.join(REPO_ROOT, 'model-index.yml')))
    assert index['Import'] == ['configs/ous/metafile.yml']
    for metafile in index['Import']:
        models = yaml.safe_load(_read(os.path.join(REPO_ROOT, metafile)))['Models']
        for m in models:
            assert os.path.isfile(os.path.join(REPO_ROOT, m['Config'])), m['Config']


def test_zoo_lookup_errors_are_clear():
    with pytest.raises(KeyError, match='known: .*ous_vitl14_dfew'):
        find_zoo_model('no_such_model')
    with pytest.raises(CheckpointError, match='no released checkpoint'):
        resolve_zoo_checkpoint('ous_vitl14_dfew')
    with pytest.raises(FileNotFoundError, match='config not found'):
        find_zoo_config('configs/ous/no_such.py')
    assert find_zoo_config('ous_tiny_synthetic') == \
        find_zoo_config('configs/ous/ous_tiny_synthetic.py')


def _fake_repo(tmp_path, weights, sha256):
    root = tmp_path / 'repo'
    (root / 'configs' / 'x').mkdir(parents=True, exist_ok=True)
    (root / 'configs' / 'x' / 'cfg.py').write_text('')
    (root / 'configs' / 'x' / 'metafile.yml').write_text(
        f'Models:\n- Name: m\n  Config: configs/x/cfg.py\n  Weights: {weights}\n'
        f'  Metadata:\n    SHA256: "{sha256}"\n')
    return root


def test_zoo_checkpoint_is_verified(tmp_path):
    """A local zoo entry resolves only when the file is there and its sha256 matches."""
    import torch

    root = _fake_repo(tmp_path, 'w.pth', '0' * 64)
    ckpt = root / 'w.pth'
    torch.save(dict(state_dict={'w': torch.ones(2)}), str(ckpt))
    sha = file_sha256(str(ckpt))
    _fake_repo(tmp_path, 'w.pth', sha)
    out = resolve_zoo_checkpoint('m', root=str(root))
    assert out['checkpoint'] == str(ckpt) and out['config'].endswith('configs/x/cfg.py')
    assert out['note'] == ''
    _fake_repo(tmp_path, 'w.pth', '0' * 64)
    with pytest.raises(CheckpointError, match='sha256 mismatch'):
        resolve_zoo_checkpoint('m', root=str(root))
    os.remove(str(ckpt))
    with pytest.raises(CheckpointError, match='regenerate'):
        resolve_zoo_checkpoint('m', root=str(root))


def test_a_make_demo_run_on_this_machine_is_accepted(tmp_path):
    """Issue 14 item 5: the metafile names our machine's demo checkpoint (another hash);
    the user's own published one beside it is used, verified against its own record."""
    import torch

    weights = 'work_dirs/demo/seed0/published/m_seed0-dc843ed3.pth'
    root = _fake_repo(tmp_path, weights, 'dc843ed3' + '0' * 56)
    run = root / 'work_dirs/demo/seed0'
    torch.save(dict(state_dict={'w': torch.arange(3.)}), str(tmp_path / 'epoch_1.pth'))
    published = publish_checkpoint(str(tmp_path / 'epoch_1.pth'), str(run / 'published'),
                                   name='m_seed0')
    (run / 'summary.json').write_text(json.dumps(
        dict(results=[dict(name='ous', published=published)])))
    out = resolve_zoo_checkpoint('m', root=str(root))
    assert out['checkpoint'] == published['path'] and out['sha256'] == published['sha256']
    assert 'local checkpoint' in out['note'] and 'dc843ed3' not in out['checkpoint']
    data = bytearray(open(published['path'], 'rb').read())  # a corrupt local file is refused
    data[-30] ^= 0xFF
    open(published['path'], 'wb').write(bytes(data))
    with pytest.raises(CheckpointError, match='sha256 mismatch'):
        resolve_zoo_checkpoint('m', root=str(root))


WHEEL_FILES = ('setup.py', 'MANIFEST.in', 'README.md', 'model-index.yml', 'requirements',
               'ous_mm', 'configs', 'tools')
CHECK_INSTALLED = r'''
import os, sys, ous_mm
from ous_mm.apis import init_ous_model
from ous_mm.utils import find_zoo_config, zoo_roots
target = sys.argv[1]
assert ous_mm.__file__.startswith(target), ous_mm.__file__
assert zoo_roots() == [os.path.join(target, 'ous_mm', '.mim')], zoo_roots()
config = find_zoo_config('ous_tiny_synthetic')
assert config.startswith(target) and os.path.isfile(config), config
model = init_ous_model('ous_tiny_synthetic', sys.argv[2])  # zoo name + own weights
print('OK', type(model).__name__, model.cfg.filename, len(model.class_names))
'''


def test_wheel_install_finds_configs_and_zoo_as_package_data(tmp_path):
    """`pip install .` (not editable): init_ous_model('ous_tiny_synthetic') without the repo."""
    src = tmp_path / 'src'
    src.mkdir()
    for name in WHEEL_FILES:
        copy = shutil.copytree if os.path.isdir(os.path.join(REPO_ROOT, name)) else shutil.copy
        kwargs = dict(ignore=shutil.ignore_patterns('__pycache__')) if copy is \
            shutil.copytree else {}
        copy(os.path.join(REPO_ROOT, name), src / name, **kwargs)
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check', '-q']
    subprocess.run(pip + ['wheel', '--no-deps', '--no-build-isolation', '-w',
                          str(tmp_path / 'dist'), str(src)], check=True, cwd=src)
    (wheel, ) = (tmp_path / 'dist').glob('ous_mm-*.whl')
    target = tmp_path / 'site'
    subprocess.run(pip + ['install', '--no-deps', '--target', str(target), str(wheel)],
                   check=True)
    assert (target / 'ous_mm/.mim/model-index.yml').is_file()
    assert (target / 'ous_mm/.mim/tools/train.py').is_file()  # what `mim train` runs
    # weights for the zoo config, made here from the source tree's copy of it
    import torch
    with pytest.warns(UserWarning, match='untrained'):
        model = init_ous_model(os.path.join(REPO_ROOT, 'configs/ous/ous_tiny_synthetic.py'))
    torch.save(dict(state_dict=model.state_dict()), str(tmp_path / 'tiny.pth'))
    env = dict(os.environ, PYTHONPATH=str(target), OMP_NUM_THREADS='1')
    run = tmp_path / 'run'
    run.mkdir()
    out = subprocess.run([sys.executable, '-c', CHECK_INSTALLED, str(target),
                          str(tmp_path / 'tiny.pth')], cwd=run, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'OK OUSRecognizer' in out.stdout and str(target) in out.stdout
