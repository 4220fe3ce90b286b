"""The interface between the prompt head, the recognizer and a classification loss."""
from torch import nn


class HeadLoss(nn.Module):
    """Base class of the losses :class:`PromptContrastiveHead` calls.

    The head and the recognizer read these attributes instead of probing a loss
    for optional names; a loss that is not a ``HeadLoss`` (e.g. mmaction's
    ``CrossEntropyLoss``) is treated as a plain label loss with every attribute
    at its default below (see :func:`head_loss_traits`).

    Attributes:
        uses_aux_outputs: called as ``loss(cls_score=, labels=, face_feat=,
            scene_feat=, polarity_logits=, polarity_labels=)`` and returns a loss
            dict; otherwise called as ``loss(cls_score, labels)``.
        carries_labels: the loss trains the classifier (uses the class labels).
        needs_scene: the loss compares face with scene features (a face-only
            model, ``use_scene=False``, cannot use it).
        needs_polarity: the loss needs polarity logits (a Polarity Encoder in the
            neck) and ``gt_polarity`` labels.
    """

    uses_aux_outputs: bool = False
    carries_labels: bool = True
    needs_scene: bool = False
    needs_polarity: bool = False


def head_loss_traits(loss: nn.Module) -> HeadLoss:
    """``loss`` itself when it is a :class:`HeadLoss`, else the defaults of a label loss."""
    return loss if isinstance(loss, HeadLoss) else HeadLoss()
