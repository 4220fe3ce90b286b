# OUS, CLIP ViT-L/14, DFEW 7 classes, one official fold (paper: Tables I-III, V, VI).
# Another fold: `--cfg-options fold=2` (datasets and feature-cache stores alike).
_base_ = [
    '../_base_/models/ous_vitl14.py', '../_base_/datasets/dfew.py',
    '../_base_/schedules/ous_adam_60e.py'
]
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
