"""configs/ous/metafile.yml: one row per config, MMAction2 fields, zoo look-up errors."""
import glob
import os

import pytest

import ous_mm  # noqa: F401
from ous_mm.utils import CheckpointError, find_zoo_model, load_metafiles, resolve_zoo_checkpoint
from ous_mm.utils.model_zoo import REPO_ROOT


def test_every_config_has_a_row_with_the_mmaction2_fields():
    models = load_metafiles()
    configs = {m['Config'] for m in models}
    on_disk = {os.path.relpath(p, REPO_ROOT) for p in
               glob.glob(os.path.join(REPO_ROOT, 'configs', 'ous', '**', '*.py'), recursive=True)
               }
    assert on_disk <= configs, sorted(on_disk - configs)
    for m in models:
        assert os.path.isfile(os.path.join(REPO_ROOT, m['Config'])), m['Config']
        assert {'Name', 'In Collection', 'Metadata', 'Results', 'Weights'} <= set(m)
        result = m['Results'][0]
        assert result['Task'] == 'Dynamic Facial Expression Recognition'
        assert set(result['Metrics']) == {'UAR', 'WAR'}
    paper = find_zoo_model('ous_vitl14_dfew')['Results'][0]['Metrics']
    assert paper == {'UAR': 60.94, 'WAR': 74.10}
    assert find_zoo_model('ous_vitl14_ferv39k')['Results'][0]['Metrics'] == \
        {'UAR': 42.43, 'WAR': 53.30}


def test_zoo_lookup_errors_are_clear(tmp_path):
    with pytest.raises(KeyError, match='known: ous_vitl14_dfew'):
        find_zoo_model('no_such_model')
    with pytest.raises(CheckpointError, match='no released checkpoint'):
        resolve_zoo_checkpoint('ous_vitl14_dfew')


def test_zoo_checkpoint_is_verified(tmp_path):
    """A local zoo entry resolves only when the file is there and its sha256 matches."""
    import torch

    from ous_mm.utils import file_sha256

    root = tmp_path / 'repo'
    (root / 'configs' / 'x').mkdir(parents=True)
    (root / 'configs' / 'x' / 'cfg.py').write_text('')
    ckpt = root / 'w.pth'
    torch.save(dict(state_dict={'w': torch.ones(2)}), str(ckpt))
    sha = file_sha256(str(ckpt))

    def write(sha256):
        (root / 'configs' / 'x' / 'metafile.yml').write_text(
            'Models:\n- Name: m\n  Config: configs/x/cfg.py\n  Weights: w.pth\n'
            f'  Metadata:\n    SHA256: "{sha256}"\n')

    write(sha)
    out = resolve_zoo_checkpoint('m', root=str(root))
    assert out['checkpoint'] == str(ckpt) and out['config'].endswith('configs/x/cfg.py')
    write('0' * 64)
    with pytest.raises(CheckpointError, match='sha256 mismatch'):
        resolve_zoo_checkpoint('m', root=str(root))
    os.remove(str(ckpt))
    with pytest.raises(CheckpointError, match='regenerate'):
        resolve_zoo_checkpoint('m', root=str(root))
