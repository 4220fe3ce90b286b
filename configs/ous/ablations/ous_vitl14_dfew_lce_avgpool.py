# Tables IV-V, row "L_ce": classification cross-entropy only, TFE replaced by average
# pooling of the face and scene features.
_base_ = ['../ous_vitl14_dfew.py']
model = dict(
    neck=dict(fusion='avgpool'),
    cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', mode='video_text')))
