# CAER-S (Lee et al., ICCV 2019): ~70k still frames taken from the CAER clips, 7 classes,
# an official train / test split. Annotation files are our JSON Lines format
# (data/README.md), written by
# `tools/data/caer_s/prepare.py --root data/caer_s --out data/caer_s/annotations`.
# CAER-S has no validation split: the test list is used for validation too, as for the
# DFER sets; report the last epoch for a clean protocol.
# Each clip is ONE image through the same pipeline (a one-frame scene source), sampled
# with clip_len = 1 rather than the frame repeated 16 times: a still has no motion, and
# repeating it would cost the frozen encoder 16x the work for the same information
# (docs/data.md, "CAER and CAER-S"). No face crops ship: `faces: null`, the detector (or
# tools/detect_faces.py boxes) finds the face.
_base_ = ['./caer.py']
data_root = 'data/caer_s'
clip_len = 1
caer_s_args = dict(data_root=data_root)
train_dataloader = dict(dataset=dict(ann_file='annotations/caer_s_train.jsonl', **caer_s_args))
val_dataloader = dict(dataset=dict(ann_file='annotations/caer_s_test.jsonl', **caer_s_args))
test_dataloader = val_dataloader
