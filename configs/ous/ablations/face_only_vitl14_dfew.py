# Face-only baseline (no scene stream anywhere): the face frames alone through the
# frozen encoder, LSTM, Frames Encoder and TFE, classified by the prompt head with the
# classification loss. What OUS adds with the scene = main config minus this one.
_base_ = ['../ous_vitl14_dfew.py']
# use_scene=False alone: the recognizer drops the scene-polarity source and the scene
# terms of the loss (similarity, polarity), leaving the classification loss (L_ce).
model = dict(use_scene=False)
