"""Training/evaluation hooks of ous-mm (all registered in the mmaction scope)."""
from .class_identity_hook import ClassIdentityHook
from .confusion_matrix_hook import DFERConfusionMatrixHook
from .face_fallback_logger_hook import FaceFallbackLoggerHook
from .face_scene_visualization_hook import FaceSceneVisualizationHook
from .fusion_competition_hook import FusionCompetitionHook
from .plateau_aware_early_stopping_hook import PlateauAwareEarlyStoppingHook
from .polarity_plateau_hook import PolarityPlateauHook
from .safe_checkpoint_hook import AtomicLocalBackend, SafeCheckpointHook
from .stop_on_lr_floor_hook import StopOnLRFloorHook

__all__ = ['AtomicLocalBackend', 'ClassIdentityHook', 'DFERConfusionMatrixHook',
           'FaceFallbackLoggerHook', 'FaceSceneVisualizationHook', 'FusionCompetitionHook',
           'PlateauAwareEarlyStoppingHook', 'PolarityPlateauHook', 'SafeCheckpointHook',
           'StopOnLRFloorHook']
