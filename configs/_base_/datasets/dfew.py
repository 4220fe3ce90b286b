# DFEW (Jiang et al., ACM MM 2020), 7-class single-labeled benchmark, 5 official folds.
# Annotation files are our JSON Lines format (data/README.md), written by
# `tools/data/dfew/prepare.py --root data/dfew --out data/dfew/annotations`.
# DFEW has no official validation split: as in the DFER literature (DFER-CLIP,
# MAE-DFER, ...) the fold's TEST list is used for validation too, so "best
# checkpoint" numbers are test-set numbers. Report the last epoch for a clean protocol.
_base_ = ['./face_scene.py', './dfer7_classes.py']
# Read by all three dataloaders; another root: `--cfg-options data_root=DIR`.
_data_root = 'data/dfew'
# Fold of all three datasets (fills `{fold}` in ann_file) and of the feature-cache
# stores; another: `--cfg-options fold=2` or `fold = 2` in a child config (all three),
# or train_dataloader.dataset.fold=2 (one dataset).
dfew_args = dict(data_root=_data_root, class_names={{_base_.class_names}},
                 polarity_map={{_base_.polarity_map}}, fold=1)
num_folds = 5  # the official folds; tools/cross_validate.py runs 1..num_folds
train_dataloader = dict(dataset=dict(ann_file='annotations/dfew_set_{fold}_train.jsonl',
                                     **dfew_args))
val_dataloader = dict(dataset=dict(ann_file='annotations/dfew_set_{fold}_test.jsonl',
                                   **dfew_args))
test_dataloader = val_dataloader
del _data_root, dfew_args  # written into the datasets above
