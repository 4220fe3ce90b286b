"""Synthetic scene-DFER data (drawn faces in drawn scenes) for tests and the CPU demo."""
from .generator import (CLASS_NAMES, POLARITY_MAP, generate_dataset, plan_clips,
                        render_clip)

__all__ = ['CLASS_NAMES', 'POLARITY_MAP', 'generate_dataset', 'plan_clips', 'render_clip']
