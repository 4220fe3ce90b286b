"""Zoo checkpoints: sha256 verification and weights_only loading."""
import os
import pickle

import pytest
import torch

import ous_mm  # noqa: F401
from ous_mm.utils import (CheckpointError, file_sha256, load_checkpoint_strict,
                          publish_checkpoint, safe_torch_load, sha256_from_filename,
                          verify_sha256)


def _save_state(path, model):
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=3)), path)
    return str(path)


def test_right_hash_loads_wrong_hash_is_refused(tmp_path):
    model = torch.nn.Linear(4, 2)
    path = _save_state(tmp_path / 'ckpt.pth', model)
    sha = file_sha256(path)
    ckpt = safe_torch_load(path, sha256=sha)
    assert torch.equal(ckpt['state_dict']['weight'], model.weight)
    assert safe_torch_load(path, sha256=sha[:8])['meta']['epoch'] == 3
    wrong = ('0' if sha[0] != '0' else '1') + sha[1:]
    with pytest.raises(CheckpointError, match='sha256 mismatch'):
        safe_torch_load(path, sha256=wrong)


def test_hash_in_published_name_is_checked(tmp_path):
    for seed in range(10):  # digits-only prefixes (2.3 %) are not read as hashes: skip them
        torch.manual_seed(seed)
        model = torch.nn.Linear(4, 2)
        src = _save_state(tmp_path / f'epoch_{seed}.pth', model)
        published = publish_checkpoint(src, str(tmp_path / 'pub'), name=f'tiny{seed}')
        if not published['sha256'][:8].isdigit():
            break
    name = os.path.basename(published['path'])
    assert name == f'tiny{seed}-{published["sha256"][:8]}.pth'
    assert sha256_from_filename(published['path']) == published['sha256'][:8]
    target = torch.nn.Linear(4, 2)
    load_checkpoint_strict(target, published['path'])
    assert torch.equal(target.weight, model.weight)
    # one flipped byte at the end (inside the zip payload) -> the name's hash fails
    data = bytearray(open(published['path'], 'rb').read())
    data[-30] ^= 0xFF
    open(published['path'], 'wb').write(bytes(data))
    with pytest.raises(CheckpointError, match='sha256 mismatch'):
        load_checkpoint_strict(torch.nn.Linear(4, 2), published['path'])
    with pytest.raises(CheckpointError, match='not found'):
        verify_sha256(str(tmp_path / 'missing.pth'), '0' * 64)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_weights_only_refuses_a_foreign_global(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={'w': torch.zeros(1)}, payload=_Evil(str(marker))), path)
    with pytest.raises(CheckpointError, match='weights_only'):
        safe_torch_load(str(path))
    assert not marker.exists()
    raw = tmp_path / 'raw.pkl'
    raw.write_bytes(pickle.dumps(_Evil(str(marker))))
    with pytest.raises(CheckpointError):
        safe_torch_load(str(raw))
    assert not marker.exists()


def test_checkpoint_for_another_model_is_refused(tmp_path):
    path = _save_state(tmp_path / 'other.pth', torch.nn.Linear(4, 3))
    with pytest.raises(CheckpointError, match='shape mismatches') as err:
        load_checkpoint_strict(torch.nn.Linear(4, 2), path)
    assert 'other.pth' in str(err.value)
    with pytest.raises(CheckpointError, match='missing keys'):
        load_checkpoint_strict(torch.nn.Sequential(torch.nn.Linear(4, 2)), path)


def test_a_date_in_the_name_is_not_a_hash(tmp_path):
    """Issue 14 item 6: `ous_run-20261202.pth` loads; a real hash prefix is still checked."""
    model = torch.nn.Linear(4, 2)
    dated = _save_state(tmp_path / 'ous_run-20261202.pth', model)
    assert sha256_from_filename(dated) is None
    assert torch.equal(safe_torch_load(dated)['state_dict']['weight'], model.weight)
    target = torch.nn.Linear(4, 2)
    load_checkpoint_strict(target, dated)
    assert torch.equal(target.weight, model.weight)
    sha = file_sha256(dated)
    for claimed in ('deadbeef', 'ab' * 32):  # an 8-hex or full hash with letters: a claim
        wrong = ('c' if claimed[0] != 'c' else 'd') + claimed[1:]
        path = tmp_path / f'ous_run-{wrong}.pth'
        path.write_bytes(open(dated, 'rb').read())
        assert sha256_from_filename(str(path)) == wrong
        with pytest.raises(CheckpointError, match='sha256 mismatch'):
            safe_torch_load(str(path))
    good = tmp_path / f'ous_run-{sha[:8]}.pth'
    good.write_bytes(open(dated, 'rb').read())
    safe_torch_load(str(good))  # its own hash (verified unless it happens to be all digits)
    for not_a_hash in ('ous_run-2026120.pth', 'ous_run-deadbeef1.pth', 'ous_run_deadbeef.pth'):
        assert sha256_from_filename(str(tmp_path / not_a_hash)) is None


def test_same_weights_publish_to_the_same_hash(tmp_path):
    """Two runs that end on the same weights differ only in their stamps (experiment name,
    time, the commit mmengine appends to its version): the published file, and so the zoo's
    sha256, must not (make demo on one machine published three hashes for bitwise-equal
    weights)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    hashes = set()
    for run, (stamp, commit) in enumerate((('20261203_065951', 'f25af37b8d2a1279'),
                                           ('20261203_070817', '1e4553e0c1d2e3f4'))):
        src = str(tmp_path / f'run{run}' / 'best.pth')
        os.makedirs(os.path.dirname(src))
        torch.save(dict(state_dict=model.state_dict(),
                        meta=dict(epoch=6, seed=0, time=stamp, experiment_name=f'ous_{stamp}',
                                  mmengine_version='0.10.7' + commit)),
                   src)
        published = publish_checkpoint(src, str(tmp_path / f'pub{run}'), name='ous_seed0')
        meta = torch.load(published['path'], weights_only=True)['meta']
        assert meta == dict(epoch=6, seed=0, mmengine_version='0.10.7')
        hashes.add(published['sha256'])
    assert len(hashes) == 1
