# OUS on the synthetic scene-DFER set with the tiny CLIP (CPU demo, random init).
_base_ = [
    '../_base_/models/ous_tiny.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/ous_adam_60e.py'
]
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
train_cfg = dict(max_epochs=20)
default_hooks = dict(logger=dict(interval=5))
