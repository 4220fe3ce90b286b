from .open_clip_utils import (build_text_tower, build_vision_tower, load_open_clip_state_dict,
                              load_text_tower, load_vision_tower, resolve_checkpoint_file,
                              resolve_model_cfg, resolve_quick_gelu)

__all__ = [
    'build_text_tower', 'build_vision_tower', 'load_open_clip_state_dict', 'load_text_tower',
    'load_vision_tower', 'resolve_checkpoint_file', 'resolve_model_cfg', 'resolve_quick_gelu'
]
