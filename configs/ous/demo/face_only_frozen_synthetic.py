# Face-only baseline of ous_frozen_synthetic.py: same frozen tower, data, budget and seed,
# without the scene stream.
_base_ = ['./ous_frozen_synthetic.py']
# use_scene=False alone: the recognizer drops the scene-polarity source and the scene
# terms of the loss (similarity, polarity), leaving the classification loss (L_ce).
model = dict(use_scene=False)
