"""Evaluation of DFER models: UAR/WAR metric and confusion-matrix output."""
from .confusion_matrix import (confusion_matrix, per_class_recall,
                               plot_confusion_matrix, save_confusion_matrix_json)
from .confusion_matrix_hook import DFERConfusionMatrixHook
from .dfer_metric import DFERMetric, scores_to_log_probs

__all__ = [
    'DFERMetric', 'DFERConfusionMatrixHook', 'confusion_matrix', 'per_class_recall',
    'plot_confusion_matrix', 'save_confusion_matrix_json', 'scores_to_log_probs'
]
