"""Inference on a user's own video (``init_ous_model`` + ``inference_video``)."""
from .annotate import write_annotated_video
from .inference import build_inference_pipeline, clip_len_of, inference_video
from .model import class_names_of, init_ous_model
from .video_source import open_user_video
from .windows import sample_indices, sliding_windows

__all__ = [
    'init_ous_model', 'inference_video', 'write_annotated_video', 'build_inference_pipeline',
    'clip_len_of', 'class_names_of', 'open_user_video', 'sample_indices', 'sliding_windows'
]
