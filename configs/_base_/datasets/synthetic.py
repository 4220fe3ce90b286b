# Synthetic scene-DFER set (data/README.md): drawn faces in drawn scenes, 7 classes in
# DFEW order, the scene carrying the polarity, and a share of faces that are ambiguous
# between classes only the scene tells apart (the paper's Rigid Cognitive Problem).
# Generate it first (about a minute on 2 CPU cores):
#   python tools/data/synthetic/generate.py --out data/synthetic --num-clips 420 --seed 0
_base_ = ['./face_scene.py', './dfer7_classes.py']
data_root = 'data/synthetic'

clip_len = 8   # small for CPU; the real sets use 16
img_size = 64  # matches the tiny CLIP tower (configs/_base_/models/ous_tiny.py)
# Faces come from the generator's ground-truth boxes (PrecomputedFaceBoxes), so this
# set also exercises the detector-free path a user with `tools/detect_faces.py` output takes.
face_detector = dict(type='PrecomputedFaceBoxes')
# margin 0.1: the generator draws hair around each face, so a tight crop shows
# face and hair only and carries no scene colour (face-only baselines stay face-only).
face_crop = dict(margin=0.1, on_no_face='raise')

synthetic_args = dict(data_root=data_root, class_names={{_base_.class_names}},
                      polarity_map={{_base_.polarity_map}})
train_dataloader = dict(num_workers=2, dataset=dict(ann_file='train.jsonl', **synthetic_args))
val_dataloader = dict(num_workers=2, dataset=dict(ann_file='val.jsonl', **synthetic_args))
test_dataloader = dict(num_workers=2, dataset=dict(ann_file='test.jsonl', **synthetic_args))
