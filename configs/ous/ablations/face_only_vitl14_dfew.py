# Face-only baseline (no scene stream anywhere): the face frames alone through the
# frozen encoder, LSTM, Frames Encoder and TFE, classified by the prompt head with the
# classification loss. What OUS adds with the scene = main config minus this one.
_base_ = ['../ous_vitl14_dfew.py']
model = dict(
    use_scene=False,
    neck=dict(polarity_source=None),
    cls_head=dict(loss_cls=dict(_delete_=True, type='ContrastiveLoss', mode='video_text')))
