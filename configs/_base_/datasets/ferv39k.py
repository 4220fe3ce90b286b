# FERV39k (Wang et al., CVPR 2022): 7 classes, 22 scenes, one official split
# (31,088 train / 7,847 test). Annotation files are our JSON Lines format
# (data/README.md), written by
# `tools/data/ferv39k/prepare.py --root data/ferv39k --out data/ferv39k/annotations`.
# FERV39k has no validation set: the test list is used for validation, as in the
# DFER literature; report the last epoch for a clean protocol.
dataset_type = 'FaceSceneDataset'
data_root = 'data/ferv39k'
ann_file_train = 'annotations/ferv39k_train.jsonl'
ann_file_val = 'annotations/ferv39k_test.jsonl'
ann_file_test = 'annotations/ferv39k_test.jsonl'

# DFEW order (as DFER-CLIP, MAE-DFER, EmoCLIP use for FERV39k).
class_names = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
# 0 positive, 1 neutral, 2 negative (see configs/_base_/datasets/dfew.py).
polarity_map = dict(
    Happy='positive', Neutral='neutral', Surprise='neutral',
    Sad='negative', Angry='negative', Disgust='negative', Fear='negative')

clip_len = 16
img_size = 224
face_detector = dict(type='OpenCVFaceDetector')  # only for clips without `faces`

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
        data_root=data_root,
        class_names=class_names,
        polarity_map=polarity_map,
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='DFERMetric')
test_evaluator = val_evaluator
