# Synthetic scene-DFER set (data/README.md): drawn faces in drawn scenes, 7 classes in
# DFEW order, the scene carrying the polarity, and a share of faces that are ambiguous
# between classes only the scene tells apart (the paper's Rigid Cognitive Problem).
# Generate it first (about a minute on 2 CPU cores):
#   python tools/data/synthetic/generate.py --out data/synthetic --num-clips 420 --seed 0
# Faces come from the generator's ground-truth boxes (PrecomputedFaceBoxes), so this
# set also exercises the detector-free path a user with `tools/detect_faces.py` output takes.
dataset_type = 'FaceSceneDataset'
data_root = 'data/synthetic'
ann_file_train = 'train.jsonl'
ann_file_val = 'val.jsonl'
ann_file_test = 'test.jsonl'

class_names = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
# Same map as the real 7-class sets; the generator draws scenes by this polarity.
polarity_map = dict(
    Happy='positive', Neutral='neutral', Surprise='neutral',
    Sad='negative', Angry='negative', Disgust='negative', Fear='negative')

clip_len = 8   # small for CPU; the real sets use 16
img_size = 64  # matches the tiny CLIP tower (configs/_base_/models/ous_tiny.py)
face_detector = dict(type='PrecomputedFaceBoxes')
# margin 0.1: the generator draws hair around each face, so a tight crop shows
# face and hair only and carries no scene colour (face-only baselines stay face-only).
split_cfg = dict(type='FaceSceneSplit', detector=face_detector, out_size=img_size,
                 margin=0.1, on_no_face='raise')

train_pipeline = [
    dict(type='FaceSceneInit'),
    dict(type='FaceSceneSampleFrames', clip_len=clip_len, test_mode=False),
    dict(type='FaceSceneDecode'),
    split_cfg,
    dict(type='FaceSceneFlip', flip_ratio=0.5),
    dict(type='PackFaceSceneInputs'),
]
val_pipeline = [
    dict(type='FaceSceneInit'),
    dict(type='FaceSceneSampleFrames', clip_len=clip_len, test_mode=True),
    dict(type='FaceSceneDecode'),
    split_cfg,
    dict(type='PackFaceSceneInputs'),
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
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
    num_workers=2,
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
    num_workers=2,
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
