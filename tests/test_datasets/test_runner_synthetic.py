"""One Runner epoch of the tiny OUS config on 14 synthetic clips (data side end to end)."""
import os.path as osp

from mmengine.config import Config

import ous_mm  # noqa: F401
from ous_mm.datasets.synthetic import generate_dataset

CONFIG = 'configs/ous/ous_tiny_synthetic.py'


def test_one_epoch_train_and_val(tmp_path):
    from mmaction.registry import RUNNERS
    root = str(tmp_path / 'syn')
    generate_dataset(root, num_clips=14, seed=0, num_frames=8, size=64, progress=False)
    cfg = Config.fromfile(CONFIG)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = root
        loader.batch_size = 4
        loader.num_workers = 1 if split == 'train' else 0  # one real worker process
        loader.persistent_workers = False
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = str(tmp_path / 'work')
    runner = RUNNERS.build(cfg)  # the config's OUSRunner, as tools/train.py builds it
    runner.train()
    assert osp.isfile(osp.join(cfg.work_dir, 'epoch_1.pth'))
    metrics = runner.message_hub.log_scalars
    assert 'val/dfer/UAR' in metrics and 0 <= metrics['val/dfer/UAR'].current() <= 100
    assert metrics['train/face_fallback_ratio'].current() == 0.0  # GT boxes: always a face
