"""Training/evaluation hooks of ous-mm (all registered in the mmaction scope)."""
from .confusion_matrix_hook import DFERConfusionMatrixHook
from .face_fallback_logger_hook import FaceFallbackLoggerHook
from .polarity_plateau_hook import PolarityPlateauHook
from .stop_on_lr_floor_hook import StopOnLRFloorHook

__all__ = ['DFERConfusionMatrixHook', 'FaceFallbackLoggerHook', 'PolarityPlateauHook',
           'StopOnLRFloorHook']
