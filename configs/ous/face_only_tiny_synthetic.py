# Face-only baseline of ous_tiny_synthetic.py: no scene stream anywhere (no scene
# frames through the encoder, no scene tokens, no polarity from the scene, no
# similarity loss): the face tokens alone through the same temporal encoder, TFE and
# prompt head, trained with the classification loss.
_base_ = ['./ous_tiny_synthetic.py']
# use_scene=False alone: the recognizer drops the scene-polarity source and the scene
# terms of the loss (similarity, polarity), leaving the classification loss (L_ce).
model = dict(use_scene=False)
