# The paper's regime on the synthetic set: a small CLIP PRETRAINED here
# (tools/pretrain_clip.py, cached) and kept FROZEN, the rest of OUS trained on top.
# The pretrained file is not known when this config is written (it lives in the
# user's cache): the demo and tools/analysis/benchmark_variants.py pass
#   --cfg-options model.backbone.pretrained=<file>   (the prompt head's text tower follows)
# Training reads the frozen tower's features from a cache (tools/extract_features.py);
# face_only_frozen_synthetic.py is the same recipe without the scene.
_base_ = ['../ous_tiny_synthetic.py']
model = dict(backbone=dict(frozen=True))
train_cfg = dict(max_epochs=30, val_begin=1, val_interval=1)
default_hooks = dict(
    logger=dict(interval=8),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best='dfer/UAR', rule='greater'))
# read by tools/misc/gen_metafile.py: where the tower's weights come from
pretrained_by = 'tools/pretrain_clip.py'
