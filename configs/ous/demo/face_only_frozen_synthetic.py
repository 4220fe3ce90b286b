# Face-only baseline of ous_frozen_synthetic.py: same frozen tower, data, budget and seed,
# without the scene stream.
_base_ = ['./ous_frozen_synthetic.py']
model = dict(
    use_scene=False,
    neck=dict(polarity_source=None),
    cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', mode='video_text')))
