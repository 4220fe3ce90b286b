# Face-only baseline of the demo: ous_demo_synthetic.py (same data, budget, seed)
# without the scene stream, exactly as ../face_only_tiny_synthetic.py turns
# ous_tiny_synthetic.py into its baseline.
_base_ = ['./ous_demo_synthetic.py']
model = dict(
    use_scene=False,
    neck=dict(polarity_source=None),
    cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', mode='video_text')))
