"""What a training log and a zoo load say: no mmengine FileClient/HardDiskBackend deprecation
lines (the hooks' unused file client, ous_mm/compat.py); loading by zoo name names the files."""
import logging
import os
from unittest import mock

import pytest
import torch
from mmengine.logging import MMLogger

import ous_mm  # noqa: F401  (the fixes)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def log_lines():
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    handler = Keep()
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def test_the_logger_and_checkpoint_hooks_log_no_file_client_deprecation(tmp_path, log_lines):
    from mmengine.hooks import CheckpointHook, LoggerHook

    logger_hook = LoggerHook(out_dir=str(tmp_path / 'logs'))
    checkpoint_hook = CheckpointHook(interval=1)
    runner = mock.MagicMock(work_dir=str(tmp_path / 'work'))
    checkpoint_hook.before_train(runner)
    assert not [line for line in log_lines if 'FileClient' in line or 'HardDiskBackend' in line]
    # the hooks write through the backend they use, as before
    assert type(logger_hook.file_backend).__name__ == 'LocalBackend'
    assert type(checkpoint_hook.file_backend).__name__ == 'LocalBackend'


def test_given_file_client_args_still_build_the_file_client(tmp_path):
    from mmengine.hooks import LoggerHook

    hook = LoggerHook(out_dir=str(tmp_path), file_client_args=dict(backend='disk'))
    assert type(hook.file_backend).__name__ == 'FileClient'  # upstream's path, unchanged


def test_loading_by_zoo_name_logs_the_files_used(tmp_path, log_lines):
    from ous_mm.apis import init_ous_model

    torch.manual_seed(0)
    with pytest.warns(UserWarning, match='untrained'):
        model = init_ous_model(os.path.join(ROOT, 'configs/ous/ous_tiny_synthetic.py'))
    ckpt = str(tmp_path / 'mine.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    init_ous_model('ous_tiny_synthetic', ckpt)
    (line, ) = [line for line in log_lines if line.startswith('model zoo ous_tiny_synthetic')]
    assert 'ous_tiny_synthetic.py' in line and f'checkpoint {ckpt}' in line
