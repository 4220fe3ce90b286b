"""Pictures of what the model sees and says: annotated frames, clip panels, timelines."""
from .clip_panel import clip_panel
from .drawing import (BOX_COLOR, FALLBACK_COLOR, MIN_TEXT_PX, centre_crop_box, draw_box,
                      mark_fallback, text_band, text_px_for, upscale_to)
from .timeline import FALLBACK_LABEL, plot_timeline

__all__ = [
    'clip_panel', 'plot_timeline', 'FALLBACK_LABEL', 'BOX_COLOR', 'FALLBACK_COLOR',
    'MIN_TEXT_PX', 'centre_crop_box', 'draw_box', 'mark_fallback', 'text_band',
    'text_px_for', 'upscale_to'
]
