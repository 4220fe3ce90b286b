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
train_pipeline, val_pipeline, test_pipeline = [
    [dict(step, clip_len=1) if step['type'] == 'FaceSceneSampleFrames' else step
     for step in pipeline]
    for pipeline in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)]
# Read by all three dataloaders; another root: `--cfg-options data_root=DIR`.
_data_root = 'data/caer_s'
train_dataloader = dict(dataset=dict(ann_file='annotations/caer_s_train.jsonl',
                                     data_root=_data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(ann_file='annotations/caer_s_test.jsonl',
                                   data_root=_data_root, pipeline=val_pipeline))
test_dataloader = val_dataloader
del _data_root  # written into the datasets above
