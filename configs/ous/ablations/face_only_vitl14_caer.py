# Face-only baseline on the same data (no scene stream anywhere; see
# face_only_vitl14_dfew.py): what the scene adds on a benchmark built around context =
# ous_vitl14_caer.py minus this one.
_base_ = ['../ous_vitl14_caer.py']
model = dict(use_scene=False)
