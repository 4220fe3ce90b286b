"""Dataset, model, metric and checkpoint must name the same classes in the same order.

Same words in another order trained every prompt on another class's clips with no
warning; another count failed only at the first validation, an epoch later. Every
disagreement now stops before the first iteration, naming all the sources.
"""
import os

import pytest
import torch
from mmengine.config import Config

from ous_mm.utils.class_identity import ClassIdentityError, check_class_identity
from tests.test_foundation.test_train_resume import TOY_CONFIG, run_in_process, run_tool


@pytest.fixture(scope='module')
def toy_checkpoint(tmp_path_factory):
    """One toy epoch trained with the classes ('a', 'b', 'c')."""
    work_dir = str(tmp_path_factory.mktemp('cls') / 'w')
    run_tool('tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--seed', '0',
             '--cfg-options', 'train_cfg.max_epochs=1')
    return os.path.join(work_dir, 'epoch_1.pth')


def train_fails(tmp_path, monkeypatch, capsys, *options, resume=None):
    work_dir = str(tmp_path / 'w')
    args = ['--work-dir', work_dir] + (['--resume', resume] if resume else [])
    log = run_in_process('tools/train.py', TOY_CONFIG, *args, '--cfg-options',
                         *options, rc=2, monkeypatch=monkeypatch, capsys=capsys)
    assert 'Epoch(train)' not in log  # not one iteration
    assert not [n for n in os.listdir(work_dir) if n.endswith('.pth')] if \
        os.path.isdir(work_dir) else True
    return log


def test_val_order_differs_from_train_order(tmp_path, monkeypatch, capsys):
    log = train_fails(tmp_path, monkeypatch, capsys, "val_dataloader.dataset.classes=['b','a','c']")
    assert "train_dataloader.dataset classes (3): ['a', 'b', 'c']" in log
    assert "val_dataloader.dataset classes (3): ['b', 'a', 'c']" in log


def test_head_order_differs_from_dataset_order(tmp_path, monkeypatch, capsys):
    log = train_fails(tmp_path, monkeypatch, capsys, "model.class_names=['a','c','b']")
    assert "model ToyClassifier.class_names (3): ['a', 'c', 'b']" in log


def test_count_mismatch_fails_before_training(tmp_path, monkeypatch, capsys):
    log = train_fails(tmp_path, monkeypatch, capsys, "model.class_names=['a','b','c','d']")
    assert '(4)' in log and '(3)' in log


def test_load_from_a_checkpoint_trained_with_another_order(tmp_path, monkeypatch, capsys,
                                                           toy_checkpoint):
    log = train_fails(tmp_path, monkeypatch, capsys, f'load_from={toy_checkpoint}',
                      "train_dataloader.dataset.classes=['c','b','a']",
                      "val_dataloader.dataset.classes=['c','b','a']")
    assert f"checkpoint {toy_checkpoint} meta.dataset_meta.classes (3): ['a', 'b', 'c']" in log


def test_resume_from_a_checkpoint_trained_with_another_order(tmp_path, monkeypatch, capsys,
                                                             toy_checkpoint):
    log = train_fails(tmp_path, monkeypatch, capsys,
                      "train_dataloader.dataset.classes=['c','b','a']",
                      "val_dataloader.dataset.classes=['c','b','a']", resume=toy_checkpoint)
    assert 'meta.dataset_meta.classes' in log


def test_test_tool_refuses_another_order(tmp_path, monkeypatch, capsys, toy_checkpoint):
    log = run_in_process('tools/test.py', TOY_CONFIG, toy_checkpoint, '--work-dir',
                         str(tmp_path / 't'), '--cfg-options',
                         "test_dataloader.dataset.classes=['a','c','b']", rc=2,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert "test_dataloader.dataset classes (3): ['a', 'c', 'b']" in log
    assert 'meta.dataset_meta.classes' in log


def test_same_order_runs(tmp_path, monkeypatch, capsys, toy_checkpoint):
    run_in_process('tools/test.py', TOY_CONFIG, toy_checkpoint, '--work-dir',
                   str(tmp_path / 't'), '--cfg-options', "model.class_names=['A','b','c']",
                   monkeypatch=monkeypatch, capsys=capsys)  # case does not matter


def test_model_loading_api_checks_the_checkpoint(toy_checkpoint):
    from ous_mm.apis.model import init_ous_model
    cfg = Config.fromfile(TOY_CONFIG)
    cfg.class_names = ['b', 'a', 'c']
    with pytest.raises(ClassIdentityError, match=r"config class_names \(3\): \['b', 'a', 'c'\]"):
        init_ous_model(cfg, toy_checkpoint)
    cfg.class_names = ['a', 'b', 'c']
    assert init_ous_model(cfg, toy_checkpoint).class_names == ['a', 'b', 'c']


def test_polarity_maps_must_agree():
    meta = dict(dataset_meta=dict(classes=('Happy', 'Sad'),
                                  polarity=dict(Happy='positive', Sad='negative')))
    check_class_identity(checkpoint_meta=meta, config_classes=['happy', 'sad'],
                         config_polarity=dict(happy='Positive', sad='negative'))
    with pytest.raises(ClassIdentityError, match='polarity maps differ') as err:
        check_class_identity(checkpoint_meta=meta, checkpoint='x.pth',
                             config_polarity=dict(Happy='positive', Sad='neutral'))
    assert 'checkpoint x.pth meta.dataset_meta.polarity' in str(err.value)
    assert 'config polarity_map' in str(err.value)


def test_every_named_module_of_the_model_is_a_source():
    class Head(torch.nn.Module):
        class_names = ('Happy', 'Sad')

    class Prompts(torch.nn.Module):
        class_names = ('Sad', 'Happy')

    model = torch.nn.Module()
    model.cls_head = Head()
    model.cls_head.prompt_learner = Prompts()
    with pytest.raises(ClassIdentityError) as err:
        check_class_identity(model=model)
    assert 'model cls_head.class_names' in str(err.value)
    assert 'model cls_head.prompt_learner.class_names' in str(err.value)
