# OUS, CLIP ViT-B/16, DFEW (a lighter variant of ous_vitl14_dfew.py).
# Fold: change `fold` below or use --cfg-options {train,val,test}_dataloader.dataset.fold=K.
_base_ = [
    '../_base_/models/ous_vitb16.py', '../_base_/datasets/dfew.py',
    '../_base_/schedules/ous_adam_60e.py'
]
fold = 1
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
train_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
val_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
test_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
