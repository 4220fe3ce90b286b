# OUS, CLIP ViT-L/14, MAFW 11 classes, one official fold (not in the paper; same recipe).
# Another fold: `--cfg-options fold=2`.
_base_ = [
    '../_base_/models/ous_vitl14.py', '../_base_/datasets/mafw.py',
    '../_base_/schedules/ous_adam_60e.py'
]
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
