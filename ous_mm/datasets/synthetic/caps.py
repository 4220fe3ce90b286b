"""Design caps of a planned set: the best UAR a model can reach from what it sees.

A model that sees only some property of a clip (its face kind, its scene's
polarity, or both) cannot separate clips that share that property. The best UAR
it can reach assigns every property value ("cell") to one class; since UAR weighs
each class by 1 / its size, the best class for a cell is the one with the largest
``count(cell, class) / size(class)``, independently per cell, so

    cap = 1/C * sum over cells of max_c count(cell, c) / size(c).

Computed from the clip plan (what was drawn), not from a formula, so it follows
rounding, stratification, groups, polarity maps and wrong-scene clips.
"""
from collections import Counter, defaultdict
from typing import Callable, Dict, Hashable, Iterable, Mapping, Sequence

CapKey = Callable[[Mapping], Hashable]

#: what each cap's model sees
CAP_KEYS: Dict[str, CapKey] = {
    'face_only': lambda p: p['face_type'],
    'scene_only': lambda p: p['scene_polarity'],
    'face_scene': lambda p: (p['face_type'], p['scene_polarity']),
}


def max_uar(plans: Iterable[Mapping], key: CapKey) -> float:
    """Best UAR (percent) of a classifier that sees only ``key(plan)`` of each clip."""
    plans = list(plans)
    if not plans:
        raise ValueError('no clips to compute a cap on')
    sizes = Counter(p['label'] for p in plans)
    cells: Dict[Hashable, Counter] = defaultdict(Counter)
    for p in plans:
        cells[key(p)][p['label']] += 1
    best = sum(max(n / sizes[c] for c, n in counts.items()) for counts in cells.values())
    return 100.0 * best / len(sizes)


def design_caps(plans: Sequence[Mapping], splits: Sequence[str] = ('train', 'val', 'test')
                ) -> Dict[str, Dict[str, float]]:
    """``{cap name: {split: UAR, 'all': UAR}}`` for every cap of :data:`CAP_KEYS`, 2 decimals."""
    out = {}
    for name, key in CAP_KEYS.items():
        row = {s: round(max_uar([p for p in plans if p['split'] == s], key), 2)
               for s in splits if any(p['split'] == s for p in plans)}
        row['all'] = round(max_uar(plans, key), 2)
        out[name] = row
    return out
