from .face_scene_visualization_hook import FaceSceneVisualizationHook
from .stop_on_lr_floor_hook import StopOnLRFloorHook

__all__ = ['FaceSceneVisualizationHook', 'StopOnLRFloorHook']
