# OUS with the OpenAI CLIP ViT-B/16 encoder (lighter; 512-d embeddings, 12 blocks).
_base_ = ['./ous_vitl14.py']
model = dict(backbone=dict(arch='ViT-B-16'))
