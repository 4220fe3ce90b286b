# Cached-feature variant of configs/ous/ous_tiny_synthetic.py: the same model, trained from a
# feature store (tools/extract_features.py) instead of decoding video and running the
# frozen CLIP tower each step. Every config with the same backbone and data pipeline
# shares the stores (the neck/head/loss ablations do). Extract them first:
#   python tools/extract_features.py configs/ous/ous_tiny_synthetic.py --split train --views 4 \
#       --out data/features/synthetic_tiny/train
#   python tools/extract_features.py configs/ous/ous_tiny_synthetic.py --split val \
#       --out data/features/synthetic_tiny/val
#   python tools/extract_features.py configs/ous/ous_tiny_synthetic.py --split test \
#       --out data/features/synthetic_tiny/test
# Augmentation: training draws one of the cached views per clip per epoch
# (benchmarks/README.md, "Augmentation with a cache").
_base_ = ['../ous_tiny_synthetic.py']
feature_root = 'data/features/synthetic_tiny'
train_store = feature_root + '/train'
val_store = feature_root + '/val'
test_store = feature_root + '/test'

train_dataloader = dict(
    num_workers=2,
    dataset=dict(pipeline=[
        dict(type='LoadCachedFeatures', store=train_store, view='random'),
        dict(type='PackCachedFeatureInputs')]))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(pipeline=[
        dict(type='LoadCachedFeatures', store=val_store, view='first'),
        dict(type='PackCachedFeatureInputs')]))
test_dataloader = dict(
    num_workers=2,
    dataset=dict(pipeline=[
        dict(type='LoadCachedFeatures', store=test_store, view='first'),
        dict(type='PackCachedFeatureInputs')]))
