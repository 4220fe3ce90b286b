# OUS, CLIP ViT-L/14, MAFW 11 classes, one official fold (not in the paper; same recipe).
# Fold: change `fold` below or use --cfg-options {train,val,test}_dataloader.dataset.fold=K.
_base_ = [
    '../_base_/models/ous_vitl14.py', '../_base_/datasets/mafw.py',
    '../_base_/schedules/ous_adam_60e.py'
]
fold = 1
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
train_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
val_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
test_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
