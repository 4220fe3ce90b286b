"""A CUDA face detector in a forked dataloader worker fails with the fix in the message.

mmengine starts dataloader workers with ``fork`` by default
(``env_cfg.mp_cfg.mp_start_method``) and CUDA cannot run in a forked process.
No GPU here: ``torch.cuda.is_available`` is patched to True, which the forked
worker inherits, so the detector gets as far as it would on a GPU node.
"""
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

import ous_mm  # noqa: F401
from ous_mm.datasets.face_detectors import check_detector_device
from ous_mm.datasets.synthetic.photo_clips import photo_clip
from ous_mm.datasets.transforms import FaceSceneSplit

from .test_mmdet_face_detector import tiny_retinanet_cfg


class SplitDataset(Dataset):
    """One astronaut clip through FaceSceneSplit with the given detector."""

    def __init__(self, detector):
        self.split = FaceSceneSplit(detector=detector, out_size=16)
        self.frames = photo_clip('astronaut', 2, (160, 160))[0]

    def __len__(self):
        return 1

    def __getitem__(self, index):
        out = self.split(dict(imgs=list(self.frames), filename='astronaut.mp4'))
        return torch.from_numpy(np.asarray(out['face_boxes']))


CUDA_DETECTORS = dict(
    mtcnn=dict(type='MTCNNFaceDetector', device='cuda'),
    mmdet=dict(type='MMDetFaceDetector', config=tiny_retinanet_cfg(), device='cuda'))


@pytest.mark.parametrize('name', list(CUDA_DETECTORS))
def test_cuda_detector_in_a_forked_worker_names_the_fix(monkeypatch, name):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    loader = DataLoader(SplitDataset(CUDA_DETECTORS[name]), batch_size=None, num_workers=1,
                        multiprocessing_context='fork')
    with pytest.raises(RuntimeError) as info:
        next(iter(loader))
    message = str(info.value)
    print(message.strip().splitlines()[-1])
    assert 'forked process' in message
    assert "mp_start_method='spawn'" in message and 'PrecomputedFaceBoxes' in message


def test_cuda_without_a_gpu_is_a_clear_error_in_the_main_process(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(RuntimeError, match="device 'cuda:0' requested but torch sees no CUDA"):
        check_detector_device('cuda:0', 'MTCNNFaceDetector')
    check_detector_device('cpu', 'MTCNNFaceDetector')  # CPU: nothing to check


def test_forked_children_are_recognised_and_the_detector_pickles_without_nets():
    """What a spawned worker receives: the pickled pipeline, nets rebuilt on first use.

    (A DataLoader with multiprocessing_context='spawn' ran this dataset in a worker
    when the check was written; not repeated here: a spawned worker re-imports
    ous_mm, ~10 s of CPU.)
    """
    import multiprocessing
    import pickle

    from ous_mm.datasets.face_detectors import in_forked_process
    assert not in_forked_process()
    ctx = multiprocessing.get_context('fork')
    with ctx.Pool(1) as pool:
        assert pool.apply(in_forked_process) is True
    data = SplitDataset(dict(type='MTCNNFaceDetector', device='cpu'))
    first = data[0]  # builds the nets in this process
    clone = pickle.loads(pickle.dumps(data))
    assert clone.split.detector._nets is None
    torch.testing.assert_close(clone[0], first)
