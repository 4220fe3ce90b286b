# OUS exactly as the paper describes it: the shipped configs' scene-shortcut guards off
# (docs/method.md, "Scene shortcut"), losses and fusion as in Sec. III.
_base_ = ['../ous_vitl14_dfew.py']
model = dict(
    neck=dict(face_branch=False, scene_dropout=0.0),
    cls_head=dict(face_aux_weight=0.0, face_residual=False))
