# OUS, CLIP ViT-L/14, DFEW 7 classes, one official fold (paper: Tables I-III, V, VI).
# Fold: change `fold` below, or per run:
#   --cfg-options train_dataloader.dataset.fold=2 val_dataloader.dataset.fold=2 \
#                 test_dataloader.dataset.fold=2
_base_ = [
    '../_base_/models/ous_vitl14.py', '../_base_/datasets/dfew.py',
    '../_base_/schedules/ous_adam_60e.py'
]
fold = 1
model = dict(cls_head=dict(class_names={{_base_.class_names}}))
train_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
val_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
test_dataloader = dict(batch_size=16, dataset=dict(fold=fold))
