# `make demo` (tools/run_demo.py): OUS on the synthetic scene-DFER set within a
# 10-minute CPU budget. The tiny random-init CLIP of ous_tiny_synthetic.py with
# the demo budget below; face_only_demo_synthetic.py has the SAME budget
# (tests/test_demo/test_demo_configs.py checks it) and no scene stream.
_base_ = ['../ous_tiny_synthetic.py']

# ---- demo budget (keep identical in face_only_demo_synthetic.py) ------------------
train_cfg = dict(max_epochs=6, val_begin=1, val_interval=1)
# 252 training clips / batch 16 = 16 iterations per epoch
train_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True)
val_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True)
test_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True)
optim_wrapper = dict(optimizer=dict(lr=0.002))
# keep only the best-by-UAR checkpoint and the last one (disk and time)
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best='dfer/UAR', rule='greater'))
