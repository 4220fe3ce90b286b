# MAFW (Liu et al., ACM MM 2022): 11-class single-expression benchmark (9,172 clips),
# 5 official folds. Annotation files are our JSON Lines format (data/README.md), written by
# `tools/data/mafw/prepare.py --root data/mafw --out data/mafw/annotations`.
# MAFW has no official validation split: the fold's TEST list is used for
# validation too, as in the DFER literature; report the last epoch for a clean protocol.
_base_ = ['./face_scene.py']
# Read by all three dataloaders; another root: `--cfg-options data_root=DIR`.
_data_root = 'data/mafw'
num_folds = 5  # the official folds; tools/cross_validate.py runs 1..num_folds

# MAFW's official 11-class order (the words of its label files).
class_names = ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness',
               'surprise', 'contempt', 'anxiety', 'helplessness', 'disappointment')
# 0 positive, 1 neutral, 2 negative: as for the 7-class sets (happiness positive;
# neutral and surprise neutral), and the four extra MAFW classes negative.
polarity_map = dict(
    happiness='positive', neutral='neutral', surprise='neutral',
    anger='negative', disgust='negative', fear='negative', sadness='negative',
    contempt='negative', anxiety='negative', helplessness='negative',
    disappointment='negative')

# fold 1 of all three datasets and the feature stores; `--cfg-options fold=2` (see dfew.py)
mafw_args = dict(data_root=_data_root, class_names=class_names, polarity_map=polarity_map,
                 fold=1)
train_dataloader = dict(dataset=dict(ann_file='annotations/mafw_set_{fold}_train.jsonl',
                                     **mafw_args))
val_dataloader = dict(dataset=dict(ann_file='annotations/mafw_set_{fold}_test.jsonl',
                                   **mafw_args))
test_dataloader = val_dataloader
del _data_root, mafw_args  # written into the datasets above
