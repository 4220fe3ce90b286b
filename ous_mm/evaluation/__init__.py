"""Evaluation of DFER models: UAR/WAR metric and confusion-matrix output."""
from .confusion_matrix import (confusion_matrix, per_class_recall,
                               plot_confusion_matrix, save_confusion_matrix_json)
from .dfer_metric import DFERMetric, scores_to_log_probs
from .plateau import plateau_uar, polarity_plateau

__all__ = [
    'DFERMetric', 'plateau_uar', 'polarity_plateau', 'confusion_matrix', 'per_class_recall',
    'plot_confusion_matrix', 'save_confusion_matrix_json', 'scores_to_log_probs'
]
