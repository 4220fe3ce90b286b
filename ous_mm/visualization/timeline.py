"""Emotion probabilities over time from ``inference_video``'s result (demo_video.py's JSON)."""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np

#: label of the shaded spans where no face was found (the centre crop was classified)
FALLBACK_LABEL = 'no face: centre crop'


def plot_timeline(result: dict, out: Optional[str] = None,
                  classes: Optional[Sequence[str]] = None,
                  title: Optional[str] = None, dpi: int = 100):
    """One line per class: its probability at each window's centre (seconds).

    Windows whose face was not found (``face_fallback``) are shaded and share
    one legend entry, :data:`FALLBACK_LABEL`, so a reader knows those points
    come from the centre crop, not from a face.

    Args:
        result: What :func:`ous_mm.apis.inference_video` returned (or its JSON).
        out: Save the figure here as PNG (folders are created) when given.
        classes: Classes to draw, in this order (default: all of ``result``).
        title: Figure title (default: the video's file name).

    Returns:
        matplotlib.figure.Figure: the figure (Agg canvas, no display needed).

    Raises:
        ValueError: a result without windows, or a class it does not have.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    windows = result.get('windows') or []
    if not windows:
        raise ValueError('the result has no windows to plot')
    known = list(result.get('classes') or windows[0]['probabilities'])
    classes = list(classes) if classes else known
    missing = [c for c in classes if c not in known]
    if missing:
        raise ValueError(f'classes {missing} are not in the result (it has {known})')
    centres = np.array([(w['start_sec'] + w['end_sec']) / 2.0 for w in windows])
    fig = Figure(figsize=(9, 3.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    for i, name in enumerate(classes):
        ax.plot(centres, [w['probabilities'][name] for w in windows], '-o', ms=3, lw=1.4,
                color=f'C{i % 10}', label=name)
    shaded = False
    for win in windows:
        if win.get('face_fallback'):
            ax.axvspan(win['start_sec'], win['end_sec'], color='tab:red', alpha=0.12,
                       hatch='//', label=None if shaded else FALLBACK_LABEL)
            shaded = True
    ax.set_xlim(min(w['start_sec'] for w in windows), max(w['end_sec'] for w in windows))
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel('time (s)')
    ax.set_ylabel('probability')
    ax.set_title(title if title is not None else osp.basename(str(result.get('video', ''))))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc='center left', bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        fig.savefig(out, dpi=dpi)
    return fig
