# DFEW (Jiang et al., ACM MM 2020), 7-class single-labeled benchmark, 5 official folds.
# Annotation files are our JSON Lines format (data/README.md), written by
# `tools/data/dfew/prepare.py --root data/dfew --out data/dfew/annotations`.
# Fold: `fold` below, or per run `--cfg-options train_dataloader.dataset.fold=2
# val_dataloader.dataset.fold=2 test_dataloader.dataset.fold=2` (the dataset fills
# `{fold}` in `ann_file`).
# DFEW has no official validation split: as in the DFER literature (DFER-CLIP,
# MAE-DFER, ...) the fold's TEST list is used for validation too, so "best
# checkpoint" numbers are test-set numbers. Report the last epoch for a clean protocol.
dataset_type = 'FaceSceneDataset'
data_root = 'data/dfew'
fold = 1
ann_file_train = 'annotations/dfew_set_{fold}_train.jsonl'
ann_file_val = 'annotations/dfew_set_{fold}_test.jsonl'
ann_file_test = 'annotations/dfew_set_{fold}_test.jsonl'

# DFEW order (label id = CSV label - 1), shared by all 7-class sets.
class_names = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
# Scene polarity targets (0 positive, 1 neutral, 2 negative): Happy is the only
# positive class; Neutral and Surprise (valence-ambiguous) are neutral; the rest negative.
polarity_map = dict(
    Happy='positive', Neutral='neutral', Surprise='neutral',
    Sad='negative', Angry='negative', Disgust='negative', Fear='negative')

clip_len = 16  # 16 segments, one frame each (DFER protocol)
img_size = 224
# Used only for clips whose annotation has no `faces` folder (DFEW ships face
# crops for every benchmark clip); swap for MMDetFaceDetector / PrecomputedFaceBoxes.
face_detector = dict(type='OpenCVFaceDetector')

train_pipeline = [
    dict(type='FaceSceneInit'),
    dict(type='FaceSceneSampleFrames', clip_len=clip_len, test_mode=False),
    dict(type='FaceSceneDecode'),
    dict(type='FaceSceneSplit', detector=face_detector, out_size=img_size,
         on_no_face='center_crop'),
    dict(type='FaceSceneFlip', flip_ratio=0.5),
    dict(type='PackFaceSceneInputs'),
]
val_pipeline = [
    dict(type='FaceSceneInit'),
    dict(type='FaceSceneSampleFrames', clip_len=clip_len, test_mode=True),
    dict(type='FaceSceneDecode'),
    dict(type='FaceSceneSplit', detector=face_detector, out_size=img_size,
         on_no_face='center_crop'),
    dict(type='PackFaceSceneInputs'),
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        fold=fold,
        data_root=data_root,
        class_names=class_names,
        polarity_map=polarity_map,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        fold=fold,
        data_root=data_root,
        class_names=class_names,
        polarity_map=polarity_map,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        fold=fold,
        data_root=data_root,
        class_names=class_names,
        polarity_map=polarity_map,
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='DFERMetric')
test_evaluator = val_evaluator
