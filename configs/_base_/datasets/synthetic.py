# Synthetic scene-DFER set (data/README.md): drawn faces in drawn scenes, 7 classes in
# DFEW order, the scene carrying the polarity, and a share of faces that are ambiguous
# between classes only the scene tells apart (the paper's Rigid Cognitive Problem).
# `make demo` generates its variants into data/synthetic_<name> (data/synthetic_base is
# the set the project was built on); by hand, about a minute on 2 CPU cores:
#   python tools/data/synthetic/generate.py --out data/synthetic_base --num-clips 420 --seed 0
# Another variant: `--cfg-options data_root=data/synthetic_indep_like`.
_base_ = ['./face_scene.py', './dfer7_classes.py']
_data_root = 'data/synthetic_base'

# 8 frames (small for CPU; the real sets use 16) of 64 px (the tiny CLIP tower,
# configs/_base_/models/ous_tiny.py). Faces come from the generator's ground-truth boxes
# (PrecomputedFaceBoxes), so this set also exercises the detector-free path a user with
# `tools/detect_faces.py` output takes; as those boxes never miss a face, a clip without
# one is an error naming the file (on_no_face='raise'). margin 0.1: the generator draws
# hair around each face, so a tight crop shows face and hair only and carries no scene
# colour (face-only baselines stay face-only).
_sample = dict(type='FaceSceneSampleFrames', clip_len=8)
_split = dict(type='FaceSceneSplit', detector=dict(type='PrecomputedFaceBoxes'), out_size=64,
              margin=0.1, on_no_face='raise')
train_pipeline = [
    dict(type='FaceSceneInit'),
    dict(_sample, test_mode=False),
    dict(type='FaceSceneDecode'),
    _split,
    dict(type='FaceSceneFlip', flip_ratio=0.5),
    dict(type='PackFaceSceneInputs'),
]
val_pipeline = [
    dict(type='FaceSceneInit'),
    dict(_sample, test_mode=True),
    dict(type='FaceSceneDecode'),
    _split,
    dict(type='PackFaceSceneInputs'),
]
# A video of yours has no box files: `inference_recognizer` and the demos find its faces
# with MTCNN, and a clip without a face gets the counted centre crop.
test_pipeline = [dict(_split, detector=dict(type='MTCNNFaceDetector'), on_no_face='center_crop')
                 if step['type'] == 'FaceSceneSplit' else step for step in val_pipeline]

synthetic_args = dict(data_root=_data_root, class_names={{_base_.class_names}},
                      polarity_map={{_base_.polarity_map}})
train_dataloader = dict(num_workers=2, dataset=dict(ann_file='train.jsonl',
                                                    pipeline=train_pipeline, **synthetic_args))
val_dataloader = dict(num_workers=2, dataset=dict(ann_file='val.jsonl', pipeline=val_pipeline,
                                                  **synthetic_args))
test_dataloader = dict(num_workers=2, dataset=dict(ann_file='test.jsonl', pipeline=val_pipeline,
                                                   **synthetic_args))
del _data_root, _sample, _split, synthetic_args  # written into the pipelines above
