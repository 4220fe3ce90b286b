"""Detect the one-class-per-polarity plateau from a confusion matrix.

A model that reads the scene's polarity but not the face can reach exactly one
class per polarity group: it predicts one class for every positive clip, one for
every neutral and one for every negative clip. Its UAR is then
``#polarity groups / #classes`` (42.86 % for the 7 DFEW classes with the usual
positive / neutral / negative map), whatever the set. Training can sit there for
many epochs (docs/method.md, "Training dynamics"), so the metric reports it and
:class:`PolarityPlateauHook` warns.
"""
from typing import Dict, Mapping, Sequence

import numpy as np


def plateau_uar(class_names: Sequence[str], polarity_map: Mapping[str, str]) -> float:
    """UAR (percent) of the one-class-per-polarity solution."""
    lowered = {str(k).lower(): str(v).lower() for k, v in polarity_map.items()}
    groups = {lowered[str(c).lower()] for c in class_names if str(c).lower() in lowered}
    return 100.0 * len(groups) / max(len(class_names), 1)


def polarity_plateau(cm: np.ndarray, class_names: Sequence[str],
                     polarity_map: Mapping[str, str], tolerance: float = 2.0,
                     min_share: float = 0.02, min_polarity_acc: float = 0.8
                     ) -> Dict[str, float]:
    """Whether the predictions of ``cm`` (``cm[true][pred]`` counts) are on the plateau.

    On the plateau when the predicted class has the true class's polarity for at
    least ``min_polarity_acc`` of the clips (the model reads the polarity), at most
    one class per polarity group receives predictions (a class counts when it gets
    at least ``min_share`` of all predictions), and the UAR is at most the plateau
    UAR plus ``tolerance`` points. The polarity condition keeps a model that has
    collapsed onto a few classes for another reason (an untrained face-only model
    early in training) off the plateau.

    Returns:
        dict with ``plateau`` (1.0 / 0.0), ``plateau_uar`` (percent),
        ``pred_classes`` (classes receiving predictions) and ``polarity_acc``
        (fraction of clips whose predicted class has the right polarity).
    """
    cm = np.asarray(cm, dtype=np.float64)
    total = cm.sum()
    support = cm.sum(axis=1)
    present = support > 0
    recall = np.divide(np.diag(cm), support, out=np.zeros(len(cm)), where=present)
    uar = 100.0 * recall[present].mean() if present.any() else 0.0
    predicted = cm.sum(axis=0)
    active = predicted >= max(1.0, min_share * total)
    lowered = {str(k).lower(): str(v).lower() for k, v in polarity_map.items()}
    pol = [lowered.get(str(c).lower(), str(c)) for c in class_names]
    same = np.array([[pol[i] == pol[j] for j in range(len(pol))] for i in range(len(pol))])
    polarity_acc = float((cm * same).sum() / total) if total else 0.0
    groups = {}
    for name, is_active in zip(class_names, active):
        if is_active:
            group = lowered.get(str(name).lower(), str(name))
            groups[group] = groups.get(group, 0) + 1
    limit = plateau_uar(class_names, polarity_map)
    on_plateau = (polarity_acc >= min_polarity_acc and all(n <= 1 for n in groups.values())
                  and uar <= limit + tolerance)
    return dict(plateau=float(on_plateau), plateau_uar=limit, pred_classes=float(active.sum()),
                polarity_acc=polarity_acc)
