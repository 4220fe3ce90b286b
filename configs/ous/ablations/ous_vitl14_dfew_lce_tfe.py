# Tables IV-V, row "L_ce + TFE": classification cross-entropy only, with the TFE.
# ("L_global + TFE" is the main config ../ous_vitl14_dfew.py.)
_base_ = ['../ous_vitl14_dfew.py']
model = dict(
    cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', mode='video_text')))
