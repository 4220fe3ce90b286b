# OUS, CLIP ViT-L/14, CAER (official train / validation / test; not in the paper).
_base_ = [
    '../_base_/models/ous_vitl14.py', '../_base_/datasets/caer.py',
    '../_base_/schedules/ous_adam_60e.py'
]
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
