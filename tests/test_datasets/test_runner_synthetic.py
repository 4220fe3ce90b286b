"""The tiny OUS config learns through the real Runner: data side, model, losses, optimizer."""
import os
import os.path as osp

from mmengine.config import Config

import ous_mm  # noqa: F401
from ous_mm.datasets.synthetic import generate_dataset

CONFIG = 'configs/ous/ous_tiny_synthetic.py'


def test_tiny_ous_fits_an_easy_set(tmp_path):
    """14 clips without ambiguous faces, evaluated on its own training clips: a model
    whose parts learn reaches a UAR of >= 85 within 16 epochs (measured: 100 at epoch
    11); a broken loss, optimizer step or data path stays near chance (14-43).
    Seeded: unseeded, one CI run in several peaked at 71.4; seeds 0-9 all pass."""
    from mmaction.registry import RUNNERS
    root = str(tmp_path / 'syn')
    generate_dataset(root, num_clips=14, seed=0, num_frames=8, size=64, progress=False,
                     variant='no_ambiguity')
    cfg = Config.fromfile(CONFIG)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = root
        loader.batch_size = 7
        loader.num_workers = 1 if split == 'train' else 0  # one real worker process
        loader.persistent_workers = False
    cfg.val_dataloader.dataset.ann_file = 'train.jsonl'
    cfg.model.backbone.frozen = False  # a random frozen tower gives too little to fit
    # The machinery under test (loss, optimizer step, data path) on the paper's model: with
    # the scene-shortcut guards seed 0 of this 14-clip fit peaks at 42.9-57.1 in 16 epochs
    # (seeds 1-3 pass); their effect is measured by the variant benchmark (docs/method.md).
    cfg.model.neck.update(face_branch=False, scene_dropout=0.0)
    cfg.model.cls_head.update(face_aux_weight=0.0, face_residual=False)
    cfg.optim_wrapper.optimizer.lr = 1e-3
    cfg.train_cfg.max_epochs = 16
    cfg.custom_hooks = [dict(type='FaceFallbackLoggerHook')]
    cfg.default_hooks.checkpoint = dict(type='SafeCheckpointHook', interval=16)
    cfg.randomness = dict(seed=int(os.environ.get('OUS_TEST_SEED', 0)))  # unseeded init made it flaky
    cfg.work_dir = str(tmp_path / 'work')
    runner = RUNNERS.build(cfg)  # the config's OUSRunner, as tools/train.py builds it
    runner.train()
    assert osp.isfile(osp.join(cfg.work_dir, 'epoch_16.pth'))
    history = runner.message_hub.log_scalars['val/dfer/UAR'].data[0]
    assert max(history) >= 85.0, history
    assert runner.message_hub.log_scalars['train/face_fallback_ratio'].current() == 0.0
