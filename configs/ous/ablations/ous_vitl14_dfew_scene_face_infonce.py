# Eq. 3 read literally: L_contrast is the scene-vs-face InfoNCE within the batch
# (temperature 0.07). That term carries no class label, so the prompt classification
# cross-entropy is kept as an always-on extra term (not part of the alpha comparison).
_base_ = ['../ous_vitl14_dfew.py']
model = dict(
    cls_head=dict(
        loss_cls=dict(
            contrastive=dict(type='ContrastiveLoss', mode='scene_face', temperature=0.07),
            classification=dict(type='ContrastiveLoss', mode='video_text'))))
