# Face-only baseline of the demo: ous_demo_synthetic.py (same data, budget, seed)
# without the scene stream, exactly as ../face_only_tiny_synthetic.py turns
# ous_tiny_synthetic.py into its baseline.
_base_ = ['./ous_demo_synthetic.py']
# use_scene=False alone: the recognizer drops the scene-polarity source and the scene
# terms of the loss (similarity, polarity), leaving the classification loss (L_ce).
model = dict(use_scene=False)
