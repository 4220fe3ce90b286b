# FERV39k (Wang et al., CVPR 2022): 7 classes, 22 scenes, one official split
# (31,088 train / 7,847 test). Annotation files are our JSON Lines format
# (data/README.md), written by
# `tools/data/ferv39k/prepare.py --root data/ferv39k --out data/ferv39k/annotations`.
# FERV39k has no validation set: the test list is used for validation, as in the
# DFER literature; report the last epoch for a clean protocol.
# Classes in DFEW order, as DFER-CLIP, MAE-DFER and EmoCLIP use for FERV39k.
_base_ = ['./face_scene.py', './dfer7_classes.py']
# Read by all three dataloaders; another root: `--cfg-options data_root=DIR`.
_data_root = 'data/ferv39k'
ferv39k_args = dict(data_root=_data_root, class_names={{_base_.class_names}},
                    polarity_map={{_base_.polarity_map}})
train_dataloader = dict(dataset=dict(ann_file='annotations/ferv39k_train.jsonl',
                                     **ferv39k_args))
val_dataloader = dict(dataset=dict(ann_file='annotations/ferv39k_test.jsonl', **ferv39k_args))
test_dataloader = val_dataloader
del _data_root, ferv39k_args  # written into the datasets above
