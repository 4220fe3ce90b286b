# What every face + scene DFER set shares: the OUS data pipeline (data/README.md), the
# dataloaders and the evaluator. A dataset file (dfew.py, ferv39k.py, mafw.py,
# synthetic.py) adds its data_root, annotation files and classes.
#
# The file is complete as mmengine reads it (init_recognizer, MMAction2's tools and your
# own scripts see every value). One line still changes a setting in all three pipelines:
#   --cfg-options clip_len=8 img_size=336 face_detector.type=MMDetFaceDetector
#   (or in a child config: `clip_len = 8`, `face_detector = dict(type=...)`)
# an override key applied by the configs' runner (ous_mm/utils/config_switches.py).
dataset_type = 'FaceSceneDataset'
_clip_len = 16  # 16 segments, one frame each (DFER protocol)
_img_size = 224  # side of both streams; must match the CLIP arch's input size
# Used only for clips whose annotation has no `faces` folder: MTCNN, a CNN whose weights
# ship in the facenet-pytorch wheel (found every face of the benchmark's real-photo clips,
# incl. a turned one, with no false box; benchmarks/README.md, "Face detectors"). Swap for
# OpenCVFaceDetector (Haar) / MMDetFaceDetector / PrecomputedFaceBoxes
# (ous_mm/datasets/face_detectors/). Boxes precomputed once with tools/detect_faces.py
# are much cheaper than detecting in every epoch (benchmarks/README.md, "Data pipeline").
# Other FaceSceneSplit arguments: context around the face box, and what a clip without
# any face gets (a counted, logged centre crop, or an error naming the file).
_split = dict(type='FaceSceneSplit', detector=dict(type='MTCNNFaceDetector'),
              out_size=_img_size, margin=0.25, on_no_face='center_crop')

train_pipeline = [
    dict(type='FaceSceneInit'),
    dict(type='FaceSceneSampleFrames', clip_len=_clip_len, test_mode=False),
    dict(type='FaceSceneDecode'),
    _split,
    dict(type='FaceSceneFlip', flip_ratio=0.5),
    dict(type='PackFaceSceneInputs'),
]
val_pipeline = [
    dict(type='FaceSceneInit'),
    dict(type='FaceSceneSampleFrames', clip_len=_clip_len, test_mode=True),
    dict(type='FaceSceneDecode'),
    _split,
    dict(type='PackFaceSceneInputs'),
]
test_pipeline = val_pipeline

# Batch size per process (the paper: 16 in total on 4 GPUs; see --auto-scale-lr).
train_dataloader = dict(
    batch_size=16, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=16, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='DFERMetric')
test_evaluator = val_evaluator
del _clip_len, _img_size, _split  # written into the steps above
