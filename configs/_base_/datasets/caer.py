# CAER (Lee et al., ICCV 2019, "Context-Aware Emotion Recognition Networks"): 13,201 clips
# of 79 TV shows, 7 classes, an official train / validation / test split, built to ask
# how much the scene (context) tells about the emotion. Annotation files are our JSON
# Lines format (data/README.md), written by
# `tools/data/caer/prepare.py --root data/caer --out data/caer/annotations`.
# CAER has a validation split, so the best-on-validation checkpoint is a clean number.
# No face crops ship with CAER: every record has `faces: null` and FaceSceneSplit's
# face detector (face_scene.py) finds the face in each sampled frame; precompute the boxes
# once with tools/detect_faces.py (PrecomputedFaceBoxes) for a faster training loop.
_base_ = ['./face_scene.py']
# Read by all three dataloaders; another root: `--cfg-options data_root=DIR`.
_data_root = 'data/caer'
# The official class folders, in CAER-Net's alphabetical label order
# (ous_mm/datasets/class_sets.py CAER_CLASSES; docs/data.md).
class_names = ('Anger', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise')
# As for the DFER sets: Happy positive, Neutral and Surprise neutral, the rest negative.
polarity_map = dict(Anger='negative', Disgust='negative', Fear='negative', Happy='positive',
                    Neutral='neutral', Sad='negative', Surprise='neutral')
caer_args = dict(data_root=_data_root, class_names=class_names, polarity_map=polarity_map)
train_dataloader = dict(dataset=dict(ann_file='annotations/caer_train.jsonl', **caer_args))
val_dataloader = dict(dataset=dict(ann_file='annotations/caer_val.jsonl', **caer_args))
test_dataloader = dict(dataset=dict(ann_file='annotations/caer_test.jsonl', **caer_args))
del _data_root, caer_args  # written into the datasets above
