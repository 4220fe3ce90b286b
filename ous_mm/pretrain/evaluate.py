"""How much of the expression and the scene a pretrained CLIP carries: zero-shot and linear probe.

Measured on the held-out corpus split (never trained on):
- face crops that show their class (intensity >= ``FAINT_INTENSITY``), 7-way
  zero-shot with ``"a photo of a {class} face"`` over the OUS class words;
- whole frames of polarity scenes, 3-way zero-shot with ``"a photo of a {polarity} scene"``;
- linear probe: a logistic regression on the FROZEN image features (what a
  frozen-encoder OUS can build on), trained on half of the held-out items and
  tested on the other half.
"""
from typing import Dict, List, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..datasets.face_track import crop_resize, square_region
from ..datasets.synthetic import plan_clips, render_clip
from .captions import EXPRESSIONS, FACE_PROMPT, POLARITIES, SCENE_PROMPT, shows_expression
from .corpus import Corpus, tokenize
from .trainer import encode_text, normalize_images


@torch.no_grad()
def image_features(model: nn.Module, images: np.ndarray, batch_size: int = 512) -> torch.Tensor:
    """L2-normalised CLIP image features of uint8 ``(N, S, S, 3)`` images."""
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        chunk = torch.from_numpy(np.ascontiguousarray(images[start:start + batch_size]))
        out.append(F.normalize(model.encode_image(normalize_images(chunk.permute(0, 3, 1, 2))),
                               dim=-1))
    return torch.cat(out) if out else torch.zeros(0, 0)


@torch.no_grad()
def text_features(model: nn.Module, texts: Sequence[str]) -> torch.Tensor:
    """L2-normalised CLIP text features of ``texts``."""
    model.eval()
    return F.normalize(encode_text(model, tokenize(texts)), dim=-1)


def zero_shot_accuracy(feats: torch.Tensor, labels: Sequence[int],
                       class_text: torch.Tensor) -> float:
    """Top-1 accuracy (%) of the nearest class text for each image feature."""
    if len(labels) == 0:
        return float('nan')
    pred = (feats @ class_text.t()).argmax(dim=-1)
    return float((pred == torch.as_tensor(labels)).float().mean() * 100)


def per_class_accuracy(feats: torch.Tensor, labels: Sequence[int], class_text: torch.Tensor,
                       names: Sequence[str]) -> Dict[str, float]:
    """Zero-shot recall (%) of each class (classes without items are left out)."""
    labels = torch.as_tensor(labels)
    pred = (feats @ class_text.t()).argmax(dim=-1)
    return {name: round(float((pred[labels == c] == c).float().mean() * 100), 2)
            for c, name in enumerate(names) if bool((labels == c).any())}


def linear_probe_accuracy(feats: torch.Tensor, labels: Sequence[int], num_classes: int,
                          steps: int = 300, seed: int = 0) -> float:
    """Accuracy (%) of a logistic regression on frozen features, fit on one half, tested on the other."""
    labels = torch.as_tensor(labels)
    n = len(labels)
    if n < 4:
        return float('nan')
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    train, test = order[:n // 2], order[n // 2:]
    probe = nn.Linear(feats.shape[1], num_classes)
    opt = torch.optim.LBFGS(probe.parameters(), lr=0.5, max_iter=steps)
    x = feats.detach()

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(probe(x[train]), labels[train]) + 1e-3 * probe.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return float((probe(x[test]).argmax(-1) == labels[test]).float().mean() * 100)


def evaluate_clip(model: nn.Module, heldout: Corpus) -> Dict[str, float]:
    """Zero-shot and linear-probe figures on a held-out corpus (percent, chance included)."""
    items = list(zip(heldout.views, heldout.attributes))
    face = [i for i, (v, a) in enumerate(items) if v == 'face' and shows_expression(a)]
    scene = [i for i, (v, a) in enumerate(items) if v == 'scene' and a['scene_polarity']]
    face_labels: List[int] = [EXPRESSIONS.index(heldout.attributes[i]['expression']) for i in face]
    scene_labels: List[int] = [POLARITIES.index(heldout.attributes[i]['scene_polarity'])
                               for i in scene]
    face_feats = image_features(model, heldout.images[face])
    scene_feats = image_features(model, heldout.images[scene])
    face_text = text_features(model, [FACE_PROMPT.format(c) for c in EXPRESSIONS])
    scene_text = text_features(model, [SCENE_PROMPT.format(p) for p in POLARITIES])
    return dict(
        face_zero_shot=zero_shot_accuracy(face_feats, face_labels, face_text),
        face_zero_shot_per_class=per_class_accuracy(face_feats, face_labels, face_text,
                                                    EXPRESSIONS),
        face_chance=100.0 / len(EXPRESSIONS),
        face_items=len(face),
        scene_zero_shot=zero_shot_accuracy(scene_feats, scene_labels, scene_text),
        scene_chance=100.0 / len(POLARITIES),
        scene_items=len(scene),
        face_linear_probe=linear_probe_accuracy(face_feats, face_labels, len(EXPRESSIONS)),
        scene_linear_probe=linear_probe_accuracy(scene_feats, scene_labels, len(POLARITIES)),
    )


def evaluate_on_synthetic_clips(model: nn.Module, num_clips: int = 210, seed: int = 0,
                                size: int = 112, num_frames: int = 16, margin: float = 0.1,
                                image_size: int = 64) -> Dict[str, float]:
    """Zero-shot figures on frames of the synthetic scene-DFER set (an evaluation set).

    Measurement only (the corpus never contains these clips): the face crops
    (``margin`` as ``FaceSceneSplit``) of each clip's frames at 1/3, 2/3 and the
    end of the clip (onset -> apex), 7-way zero-shot on the clips whose face shows
    its class (not the ambiguous ones), and 3-way polarity zero-shot on the whole frames.
    """
    positions = (num_frames // 3, 2 * num_frames // 3, num_frames - 1)
    faces, scenes, labels, polarities, clear, where = [], [], [], [], [], []
    for plan in plan_clips(num_clips, seed):
        frames, boxes = render_clip(plan, seed, size, num_frames)
        for t in positions:
            cx, cy, side = square_region(boxes[t], margin)
            faces.append(crop_resize(frames[t], cx, cy, side, image_size))
            interp = cv2.INTER_AREA if size > image_size else cv2.INTER_LINEAR
            scenes.append(cv2.resize(frames[t], (image_size, image_size), interpolation=interp))
            labels.append(EXPRESSIONS.index(plan['label']))
            polarities.append(POLARITIES.index(plan['polarity']))
            clear.append(not plan['ambiguous'])
            where.append(t)
    face_feats = image_features(model, np.stack(faces))
    scene_feats = image_features(model, np.stack(scenes))
    face_text = text_features(model, [FACE_PROMPT.format(c) for c in EXPRESSIONS])
    scene_text = text_features(model, [SCENE_PROMPT.format(p) for p in POLARITIES])
    labels_t, clear_t, where_t = torch.tensor(labels), torch.tensor(clear), torch.tensor(where)
    out = {}
    for name, t in zip(('third', 'two_thirds', 'last'), positions):
        sel = clear_t & (where_t == t)
        out[f'face_zero_shot_clear_{name}_frame'] = zero_shot_accuracy(
            face_feats[sel], labels_t[sel].tolist(), face_text)
    last = where_t == positions[-1]
    out['face_zero_shot_all_last_frame'] = zero_shot_accuracy(
        face_feats[last], labels_t[last].tolist(), face_text)
    out['scene_zero_shot'] = zero_shot_accuracy(scene_feats, polarities, scene_text)
    out['clips'] = num_clips
    return out
