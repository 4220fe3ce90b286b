"""Emotion probabilities over time from ``inference_video``'s result (demo_video.py's JSON)."""
import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

#: label of the shaded spans where no face was found (the centre crop was classified)
FALLBACK_LABEL = 'no face: centre crop'
#: classes whose probability never reaches this are drawn in one grey group: near-zero
#: lines lie on top of each other at the bottom, where no colour tells them apart
MINOR_PEAK = 0.05
MINOR_COLOR = '0.6'
#: with fewer windows than this, each point also shows the span of frames it summarises
#: (a 3 s clip has two windows: two points alone hide that they cover 0-3 s)
FEW_WINDOWS = 8
#: qualitative colours that stay apart for the first 10 classes (matplotlib's tab10)
_COLORS = [f'C{i}' for i in range(10)]
_MARKERS = 'osD^v<>ph*'


def minor_label(names: Sequence[str]) -> str:
    """Legend entry of the grey group of classes below :data:`MINOR_PEAK`."""
    return f'below {MINOR_PEAK * 100:.0f}%: ' + ', '.join(names)


def _plot_windows(ax, windows: Sequence[dict], classes: Sequence[str],
                  gap_sec: Optional[float] = None) -> None:
    """One line per class at the window centres, shaded no-face spans, legend at the right.

    Consecutive windows further apart than ``gap_sec`` (a tracked person out of view)
    are not joined by the line.
    """
    centres = np.array([(w['start_sec'] + w['end_sec']) / 2.0 for w in windows])
    breaks = [] if gap_sec is None else \
        [k + 1 for k in np.flatnonzero(np.diff(centres) > gap_sec)]
    handles, labels, minor = [], [], []
    for i, name in enumerate(classes):
        values = [w['probabilities'][name] for w in windows]
        xs = np.insert(centres, breaks, np.nan)
        ys = np.insert(np.asarray(values, dtype=float), breaks, np.nan)
        major = max(values) >= MINOR_PEAK
        color = _COLORS[i % 10] if major else MINOR_COLOR
        line, = ax.plot(xs, ys, marker=_MARKERS[i % 10] if major else '.',
                        ms=5 if major else 3, lw=1.4 if major else 0.8, color=color,
                        ls='-' if major else '--', label=name, zorder=3 if major else 2)
        if len(windows) < FEW_WINDOWS:
            ax.hlines(values, [w['start_sec'] for w in windows],
                      [w['end_sec'] for w in windows], colors=color, lw=3 if major else 1.5,
                      alpha=0.3, zorder=1)
        if major:
            handles.append(line)
            labels.append(name)
        else:
            minor.append((name, line))
    if minor:
        handles.append(minor[0][1])
        labels.append(minor_label([n for n, _ in minor]))
    shaded = False
    for win in windows:
        if win.get('face_fallback'):
            span = ax.axvspan(win['start_sec'], win['end_sec'], color='tab:red', alpha=0.12,
                              hatch='//', label=None if shaded else FALLBACK_LABEL)
            if not shaded:
                handles.append(span)
                labels.append(FALLBACK_LABEL)
            shaded = True
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel('probability')
    ax.grid(alpha=0.3)
    ax.legend(handles, labels, fontsize=8, loc='center left', bbox_to_anchor=(1.0, 0.5))


def plot_timeline(result: dict, out: Optional[str] = None,
                  classes: Optional[Sequence[str]] = None,
                  title: Optional[str] = None, dpi: int = 100):
    """One line per class: its probability at each window's centre (seconds).

    Windows whose face was not found (``face_fallback``) are shaded and share
    one legend entry, :data:`FALLBACK_LABEL`, so a reader knows those points
    come from the centre crop, not from a face. Classes that stay below
    :data:`MINOR_PEAK` are grey and dashed, with one legend entry naming them
    all; with few windows each point also spans its window's frames. A result
    with every face tracked (``tracks``) gets one row per person, titled with
    their id, on a shared time axis (their line broken where they were out of view).

    Args:
        result: What :func:`ous_mm.apis.inference_video` returned (or its JSON).
        out: Save the figure here as PNG (folders are created) when given.
        classes: Classes to draw, in this order (default: all of ``result``).
        title: Figure title (default: the video's file name).

    Returns:
        matplotlib.figure.Figure: the figure (Agg canvas, no display needed).

    Raises:
        ValueError: a result without windows (or tracks), or a class it does not have.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    gap_sec = None
    if 'tracks' in result:
        if result.get('stride') and result.get('fps'):  # a window left out: out of view
            gap_sec = 1.5 * result['stride'] / result['fps']
        rows = [(f'person #{t["track_id"]}', t['windows']) for t in result['tracks']
                if t.get('windows')]
        if not rows:
            raise ValueError('the result has no tracked person to plot '
                             f'({result.get("dropped_tracks", 0)} short tracks were dropped)')
    else:
        rows = [(None, result.get('windows') or [])]
        if not rows[0][1]:
            raise ValueError('the result has no windows to plot')
    every: List[dict] = [w for _, wins in rows for w in wins]
    known = list(result.get('classes') or every[0]['probabilities'])
    classes = list(classes) if classes else known
    missing = [c for c in classes if c not in known]
    if missing:
        raise ValueError(f'classes {missing} are not in the result (it has {known})')
    fig = Figure(figsize=(9, 3.6 if len(rows) == 1 else 1.2 + 2.4 * len(rows)))
    FigureCanvasAgg(fig)
    name = title if title is not None else osp.basename(str(result.get('video', '')))
    axes = []
    for r, (row_title, windows) in enumerate(rows):
        ax = fig.add_subplot(len(rows), 1, r + 1, sharex=axes[0] if axes else None)
        axes.append(ax)
        _plot_windows(ax, windows, classes, gap_sec)
        if row_title is None:
            ax.set_title(name)
        else:
            ax.set_title(f'{name}  {row_title}' if r == 0 else row_title, fontsize=10)
    axes[0].set_xlim(min(w['start_sec'] for w in every), max(w['end_sec'] for w in every))
    axes[-1].set_xlabel('time (s)')
    fig.tight_layout()
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        fig.savefig(out, dpi=dpi)
    return fig
