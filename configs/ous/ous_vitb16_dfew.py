# OUS, CLIP ViT-B/16, DFEW (a lighter variant of ous_vitl14_dfew.py).
# Another fold: `--cfg-options fold=2`.
_base_ = [
    '../_base_/models/ous_vitb16.py', '../_base_/datasets/dfew.py',
    '../_base_/schedules/ous_adam_60e.py'
]
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
