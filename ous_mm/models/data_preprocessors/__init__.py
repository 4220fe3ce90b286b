from .face_scene_data_preprocessor import FaceSceneDataPreprocessor

__all__ = ['FaceSceneDataPreprocessor']
