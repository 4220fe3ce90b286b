"""MTCNN (Zhang et al., 2016): three small CNNs in a cascade, batched over frames.

Why our own cascade instead of ``facenet_pytorch.MTCNN``: the weights are what we
need from facenet-pytorch (``facenet_pytorch/data/{p,r,o}net.pt``, MIT, inside the
wheel, so they work offline); its package import pulls ``requests`` and its
detector crops candidates one by one in Python. Here every stage runs on all
frames of a batch at once (pyramid levels as one tensor per scale, candidate
crops with ``roi_align``), on any torch device, with no randomness.

Layer names and shapes follow the weight files; the dense layers flatten in the
(width, height) order of the original Caffe models.
"""
import importlib.util
import math
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

MTCNN_PACKAGE = 'facenet_pytorch'
#: the exact install line (facenet-pytorch pins torch<2.3; we only read its weight files)
MTCNN_INSTALL = 'pip install --no-deps facenet-pytorch==2.6.0'


class PNet(nn.Module):
    """Proposal net: fully convolutional, 12x12 receptive field, stride 2."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(3, 10, 3), nn.PReLU(10)
        self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv2, self.prelu2 = nn.Conv2d(10, 16, 3), nn.PReLU(16)
        self.conv3, self.prelu3 = nn.Conv2d(16, 32, 3), nn.PReLU(32)
        self.conv4_1 = nn.Conv2d(32, 2, 1)  # face / not face
        self.conv4_2 = nn.Conv2d(32, 4, 1)  # box offsets

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.prelu1(self.conv1(x))
        x = self.prelu2(self.conv2(self.pool1(x)))
        x = self.prelu3(self.conv3(x))
        return self.conv4_1(x).softmax(1)[:, 1], self.conv4_2(x)


class RNet(nn.Module):
    """Refinement net on 24x24 crops."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(3, 28, 3), nn.PReLU(28)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2, self.prelu2 = nn.Conv2d(28, 48, 3), nn.PReLU(48)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3, self.prelu3 = nn.Conv2d(48, 64, 2), nn.PReLU(64)
        self.dense4, self.prelu4 = nn.Linear(576, 128), nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.prelu3(self.conv3(x))
        x = self.prelu4(self.dense4(x.permute(0, 3, 2, 1).flatten(1)))
        return self.dense5_1(x).softmax(1)[:, 1], self.dense5_2(x)


class ONet(nn.Module):
    """Output net on 48x48 crops (its 5 landmarks are not used here)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(3, 32, 3), nn.PReLU(32)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2, self.prelu2 = nn.Conv2d(32, 64, 3), nn.PReLU(64)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3, self.prelu3 = nn.Conv2d(64, 64, 3), nn.PReLU(64)
        self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv4, self.prelu4 = nn.Conv2d(64, 128, 2), nn.PReLU(128)
        self.dense5, self.prelu5 = nn.Linear(1152, 256), nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.pool3(self.prelu3(self.conv3(x)))
        x = self.prelu4(self.conv4(x))
        x = self.prelu5(self.dense5(x.permute(0, 3, 2, 1).flatten(1)))
        return self.dense6_1(x).softmax(1)[:, 1], self.dense6_2(x)


def mtcnn_weights_dir() -> str:
    """Folder of the MTCNN weight files inside the installed facenet-pytorch wheel.

    Found without importing the package (its ``__init__`` needs ``requests``).
    Raises ImportError with the install command when it is absent.
    """
    spec = importlib.util.find_spec(MTCNN_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f'MTCNNFaceDetector needs the MTCNN weights shipped in facenet-pytorch, '
                          f'which is not installed: {MTCNN_INSTALL}')
    folder = osp.join(list(spec.submodule_search_locations)[0], 'data')
    missing = [n for n in ('pnet.pt', 'rnet.pt', 'onet.pt') if not osp.isfile(osp.join(folder, n))]
    if missing:
        raise ImportError(f'facenet-pytorch is installed but {folder} lacks {", ".join(missing)}; '
                          f'reinstall it: {MTCNN_INSTALL} --force-reinstall')
    return folder


def mtcnn_available() -> bool:
    """True when the MTCNN weights can be loaded (facenet-pytorch installed)."""
    try:
        mtcnn_weights_dir()
    except ImportError:
        return False
    return True


def load_mtcnn_nets(device: torch.device) -> Dict[str, nn.Module]:
    """The three nets with the shipped weights, in eval mode, frozen, on ``device``."""
    folder = mtcnn_weights_dir()
    nets = {}
    for name, cls in (('pnet', PNet), ('rnet', RNet), ('onet', ONet)):
        net = cls()
        path = osp.join(folder, f'{name}.pt')
        state = torch.load(path, map_location='cpu', weights_only=True)
        net.load_state_dict(state)  # strict: a changed file fails here, naming the keys
        nets[name] = net.to(device).eval().requires_grad_(False)
    return nets


def pyramid_scales(height: int, width: int, min_face: float, factor: float) -> List[float]:
    """Scales at which PNet's 12 px window covers faces from ``min_face`` px up to the frame."""
    scale = 12.0 / min_face
    side = min(height, width) * scale
    scales = []
    while side >= 12:
        scales.append(scale)
        scale *= factor
        side *= factor
    return scales


def _square(boxes: torch.Tensor) -> torch.Tensor:
    """Grow each box to the square around its centre (the next stage's input is square)."""
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    half = torch.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) / 2
    return torch.stack([cx - half, cy - half, cx + half, cy + half], dim=1)


def _regress(boxes: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Apply the nets' box offsets (fractions of the box width/height)."""
    wh = (boxes[:, 2:4] - boxes[:, 0:2]).repeat(1, 2)
    return boxes + offsets * wh


def _crops(imgs: torch.Tensor, frame_ids: torch.Tensor, boxes: torch.Tensor,
           size: int) -> torch.Tensor:
    """Resample each box to ``size`` x ``size`` (outside the frame reads 0, as in MTCNN).

    2 x 2 bilinear samples per output pixel: the boxes and scores match adaptive
    sampling (up to 13 x 13 for a 300 px face) on the test photos at half the time.
    """
    from torchvision.ops import roi_align
    rois = torch.cat([frame_ids[:, None].to(boxes.dtype), boxes], dim=1)
    return roi_align(imgs, rois, (size, size), spatial_scale=1.0, sampling_ratio=2,
                     aligned=True)


def _normalize(x: torch.Tensor) -> torch.Tensor:
    return (x - 127.5) * (1.0 / 128.0)


def _nms_min(boxes: torch.Tensor, scores: torch.Tensor, thr: float) -> torch.Tensor:
    """Greedy NMS with overlap = intersection / smaller area (MTCNN's last stage).

    Suppresses a box nested inside a better one, which IoU-NMS keeps.
    """
    order = scores.argsort(descending=True)
    boxes = boxes[order]
    area = (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)
    lt = torch.maximum(boxes[:, None, :2], boxes[None, :, :2])
    rb = torch.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    overlap = inter / torch.minimum(area[:, None], area[None, :]).clamp(min=1e-6)
    keep = torch.ones(len(boxes), dtype=torch.bool, device=boxes.device)
    for i in range(len(boxes)):
        if keep[i]:
            later = torch.arange(len(boxes), device=boxes.device) > i
            keep &= ~(later & (overlap[i] > thr))
    return order[keep]


def _batched_nms_min(boxes, scores, frame_ids, thr):
    keep = [idx[_nms_min(boxes[idx], scores[idx], thr)]
            for idx in (torch.nonzero(frame_ids == f).flatten() for f in frame_ids.unique())]
    return torch.cat(keep) if keep else frame_ids.new_zeros(0)


@torch.no_grad()
def mtcnn_detect(nets: Dict[str, nn.Module], imgs: torch.Tensor, min_face: float,
                 thresholds: Sequence[float] = (0.6, 0.7, 0.7),
                 factor: float = 0.709) -> List[torch.Tensor]:
    """Faces in a batch of equal-size frames.

    Args:
        nets: From :func:`load_mtcnn_nets`.
        imgs: ``(N, 3, H, W)`` float RGB in 0..255, on the nets' device.
        min_face: smallest face side to find, in pixels.
        thresholds: face probability each stage (P, R, O) needs.
        factor: pyramid step (each level is ``factor`` times the previous).

    Returns:
        per frame a ``(K, 5)`` tensor ``x1, y1, x2, y2, score`` in frame pixels
        (not clipped to the frame), best first.
    """
    from torchvision.ops import batched_nms
    num, _, height, width = imgs.shape
    empty = imgs.new_zeros((0, 5))
    scales = pyramid_scales(height, width, min_face, factor)
    if not scales:
        return [empty] * num
    # stage 1: PNet over the pyramid; the largest level is resampled from the frame,
    # the others from that level (far cheaper than from a 720p frame each time)
    boxes, scores, offsets, ids = [], [], [], []
    base = None
    for scale in scales:
        size = (max(1, math.ceil(height * scale)), max(1, math.ceil(width * scale)))
        if base is None:
            base = F.interpolate(imgs, size=size, mode='area' if scale < 1 else 'bilinear',
                                 align_corners=None if scale < 1 else False)
            level = base
        else:
            level = F.interpolate(base, size=size, mode='area')
        prob, reg = nets['pnet'](_normalize(level))
        frame_i, row, col = torch.nonzero(prob >= thresholds[0], as_tuple=True)
        if len(frame_i) == 0:
            continue
        x1, y1 = col.to(imgs.dtype) * 2 / scale, row.to(imgs.dtype) * 2 / scale
        cand = torch.stack([x1, y1, x1 + 12 / scale, y1 + 12 / scale], dim=1)
        score = prob[frame_i, row, col]
        keep = batched_nms(cand, score, frame_i, 0.5)
        boxes.append(cand[keep])
        scores.append(score[keep])
        offsets.append(reg[frame_i, :, row, col][keep])
        ids.append(frame_i[keep])
    if not boxes:
        return [empty] * num
    boxes, scores, offsets, ids = (torch.cat(v) for v in (boxes, scores, offsets, ids))
    keep = batched_nms(boxes, scores, ids, 0.7)
    boxes, ids = _square(_regress(boxes[keep], offsets[keep])), ids[keep]
    # stages 2 and 3: RNet, then ONet, on crops of every candidate of every frame at once
    for net, size, thr in (('rnet', 24, thresholds[1]), ('onet', 48, thresholds[2])):
        if len(boxes) == 0:
            return [empty] * num
        prob, reg = nets[net](_normalize(_crops(imgs, ids, boxes, size)))
        ok = prob > thr
        boxes, scores, ids = _regress(boxes[ok], reg[ok]), prob[ok], ids[ok]
        if net == 'rnet':
            keep = batched_nms(boxes, scores, ids, 0.7)
            boxes, ids = _square(boxes[keep]), ids[keep]
        else:  # a box nested in a better one is a part of the same face
            keep = _batched_nms_min(boxes, scores, ids, 0.7)
            boxes, scores, ids = boxes[keep], scores[keep], ids[keep]
    out = torch.cat([boxes, scores[:, None]], dim=1)
    result = []
    for f in range(num):
        mine = out[ids == f]
        result.append(mine[mine[:, 4].argsort(descending=True)])
    return result
