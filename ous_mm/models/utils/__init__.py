from .open_clip_utils import (build_text_tower, build_vision_tower, load_text_tower,
                              load_vision_tower, match_activation, resolve_model_cfg,
                              resolve_quick_gelu, uses_quick_gelu)

__all__ = [
    'build_text_tower', 'build_vision_tower', 'load_text_tower', 'load_vision_tower',
    'match_activation', 'resolve_model_cfg', 'resolve_quick_gelu', 'uses_quick_gelu'
]
