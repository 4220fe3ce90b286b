# Table III: 8 TFE blocks, prompt length 16 (the main config has 12 and 64).
_base_ = ['../ous_vitl14_dfew.py']
model = dict(neck=dict(tfe=dict(num_blocks=8)), cls_head=dict(prompt_length=16))
