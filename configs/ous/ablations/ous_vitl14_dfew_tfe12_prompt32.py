# Table III: 12 TFE blocks, prompt length 32 (the main config has 12 and 64).
# Also Table VI (prompt length 32; length 64 is the main config).
_base_ = ['../ous_vitl14_dfew.py']
model = dict(neck=dict(tfe=dict(num_blocks=12)), cls_head=dict(prompt_length=32))
