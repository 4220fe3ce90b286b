# OUS, CLIP ViT-L/14, FERV39k (official split; paper: Tables II, IV).
_base_ = [
    '../_base_/models/ous_vitl14.py', '../_base_/datasets/ferv39k.py',
    '../_base_/schedules/ous_adam_60e.py'
]
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
