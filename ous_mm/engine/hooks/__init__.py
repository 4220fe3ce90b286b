from .face_scene_visualization_hook import FaceSceneVisualizationHook
from .safe_checkpoint_hook import AtomicLocalBackend, SafeCheckpointHook
from .stop_on_lr_floor_hook import StopOnLRFloorHook

__all__ = ['AtomicLocalBackend', 'FaceSceneVisualizationHook', 'SafeCheckpointHook',
           'StopOnLRFloorHook']
