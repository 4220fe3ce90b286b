# Cached-feature variant of configs/ous/ous_vitb16_dfew.py: the same model, trained from a
# feature store (tools/extract_features.py) instead of decoding video and running the
# frozen CLIP tower each step. Every config with the same backbone and data pipeline
# shares the stores (the neck/head/loss ablations do). Extract them first:
#   python tools/extract_features.py configs/ous/ous_vitb16_dfew.py --split train --views 4 \
#       --out data/features/dfew_vitb16/fold1/train
#   python tools/extract_features.py configs/ous/ous_vitb16_dfew.py --split test \
#       --out data/features/dfew_vitb16/fold1/test
# Augmentation: training draws one of the cached views per clip per epoch
# (benchmarks/README.md, "Augmentation with a cache").
# Another fold: change `fold` (stores are per fold), or --cfg-options for the
# three dataset folds and the three stores.
_base_ = ['../ous_vitb16_dfew.py']
fold = 1
feature_root = f'data/features/dfew_vitb16/fold{fold}'
train_store = feature_root + '/train'
val_store = feature_root + '/test'  # the test list doubles as validation set
test_store = feature_root + '/test'

train_dataloader = dict(
    num_workers=2,
    dataset=dict(fold=fold, pipeline=[
        dict(type='LoadCachedFeatures', store=train_store, view='random'),
        dict(type='PackCachedFeatureInputs')]))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(fold=fold, pipeline=[
        dict(type='LoadCachedFeatures', store=val_store, view='first'),
        dict(type='PackCachedFeatureInputs')]))
test_dataloader = dict(
    num_workers=2,
    dataset=dict(fold=fold, pipeline=[
        dict(type='LoadCachedFeatures', store=test_store, view='first'),
        dict(type='PackCachedFeatureInputs')]))
