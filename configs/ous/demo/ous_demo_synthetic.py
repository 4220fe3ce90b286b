# The trained regime of the demo (`tools/run_demo.py --regime trained`; `make demo` runs
# the frozen regime, ous_frozen_synthetic.py): the tiny random-init CLIP of
# ous_tiny_synthetic.py trained with the rest, with the budget below;
# face_only_demo_synthetic.py has the SAME budget and differs only in the scene stream
# (tests/test_demo/test_run_demo.py checks it).
_base_ = ['../ous_tiny_synthetic.py']

# ---- demo budget (inherited unchanged by face_only_demo_synthetic.py) -------------
# The vision tower is TRAINED here (frozen=False), unlike the paper's frozen CLIP:
# with no pretrained CLIP available offline, a frozen random tower carries too little
# about the drawn expressions (measured, seed 0: with a frozen tower OUS stayed at a
# val UAR of ~31% after 5 epochs). Both demo models train it alike.
model = dict(backbone=dict(frozen=False),
             # No L_similarity (Eq. 2) while the tower trains from scratch: the one shared
             # tower then makes the face features the scene's (similarity_dist -> 0) and
             # OUS ends on the one-class-per-polarity plateau. Measured, seed 0, test UAR
             # (docs/method.md, "Training dynamics"): small_faces 42.9 with Eq. 2 as written,
             # 52.4 with its face side detached, 82.1 without it (face-only 50.0);
             # indep_like 40.5 / 40.5 / 67.9 (face-only 16.7). ous_frozen_synthetic.py
             # drops it too (measured there on all 8 variants).
             cls_head=dict(loss_cls=dict(similarity=None)))

# 4 frames per clip instead of 8: the drawn expression is readable from the sampled
# onset-to-apex frames and the epoch costs about half (what buys the epochs below).
# Written into the base's pipelines (mmengine base variables), so the file stays complete.
train_pipeline, val_pipeline, test_pipeline = [
    [dict(step, clip_len=4) if step['type'] == 'FaceSceneSampleFrames' else step
     for step in pipeline]
    for pipeline in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)]

# lr 5e-4 (the paper's 0.002 is for the frozen pretrained CLIP; a tiny tower
# trained from scratch is unstable at that rate). Measured on a quiet 2-core machine,
# seed 0, val UAR: OUS climbs 30 -> 61 (ep. 7) -> 82 (ep. 16) -> 100 (ep. 24); the
# face-only baseline 17 -> 45 (ep. 9) -> 62 (ep. 13) -> 64 (ep. 30), capped by the faces
# only the scene disambiguates. At lr 0.002 both stalled (OUS on the one-class-per-
# polarity plateau of 42.9, face-only at 25-36).
# 60 epochs at most (the early stop on val UAR, patience 15, ends converged runs sooner):
# with 30 the from-scratch tower was still learning on the hard variants (best epochs
# 27-30, large seed spread). Measured, 3 seeds, test UAR OUS / face-only at 60 epochs:
# indep_like 81.3 +- 1.4 / 50.0, subtle 75.0 +- 5.5 / 48.0, mixed_styles 76.6 / 54.4,
# small_faces 88.1 / 59.1; the same runs' best val UAR by epoch 30 was up to 15 points
# lower for OUS (docs/method.md, "Training dynamics").
train_cfg = dict(max_epochs=60, val_begin=1, val_interval=1)
# 252 training clips / batch 16 = 16 iterations per epoch
train_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True,
                      dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(batch_size=16, num_workers=2, persistent_workers=True,
                       dataset=dict(pipeline=val_pipeline))
optim_wrapper = dict(optimizer=dict(lr=0.0005))
# test the best-by-validation-UAR checkpoint; keep only it and the last one
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best='dfer/UAR', rule='greater'))
