"""Model building, inference on a user's own video, feature extraction for the cache."""
from .annotate import write_annotated_video
from .features import ExtractOptions, extract_features
from .inference import (build_inference_pipeline, clip_len_of, inference_detector,
                        inference_video)
from .model import class_names_of, init_ous_model, restore_frozen_encoders
from .runner import build_runner
from .video_source import open_user_video
from .windows import sample_indices, sliding_windows

__all__ = [
    'init_ous_model', 'inference_video', 'write_annotated_video', 'build_inference_pipeline',
    'inference_detector',
    'clip_len_of', 'class_names_of', 'open_user_video', 'sample_indices', 'sliding_windows',
    'restore_frozen_encoders', 'ExtractOptions', 'extract_features', 'build_runner'
]
