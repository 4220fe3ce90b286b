# Face-only baseline of ous_tiny_synthetic.py: no scene stream anywhere (no scene
# frames through the encoder, no scene tokens, no polarity from the scene, no
# similarity loss): the face tokens alone through the same temporal encoder, TFE and
# prompt head, trained with the classification loss.
_base_ = ['./ous_tiny_synthetic.py']
model = dict(
    use_scene=False,
    neck=dict(polarity_source=None),
    cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', mode='video_text')))
