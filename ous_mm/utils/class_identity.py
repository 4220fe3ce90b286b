"""One check that every place naming the classes names the same ones, in the same order.

Why: a class id is a position. The dataset turns words into ids with its
``class_names``, the prompt head trains prompt ``i`` on id ``i``, the metric names
per-class recalls by position, and a checkpoint was trained with one order. If two
of them disagree (same words, another order; or another count) training runs and
every number is silently attached to the wrong class. So the orders are compared
before anything runs, and a disagreement stops with every source listed.
"""
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple


class ClassIdentityError(ValueError):
    """The dataset, the model, the metric, the config or a checkpoint disagree on the
    classes (names, order, count) or on the polarity of a class."""


def _names(value) -> Optional[Tuple[str, ...]]:
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _polarity(value) -> Optional[Dict[str, str]]:
    if isinstance(value, Mapping) and value:
        return {str(k).lower(): str(v).lower() for k, v in value.items()}
    return None


def class_sources(model=None, datasets: Optional[Mapping[str, Any]] = None,
                  metrics: Sequence[Any] = (), checkpoint_meta: Optional[Mapping] = None,
                  checkpoint: Optional[str] = None, config_classes=None,
                  config_polarity=None) -> Tuple[Dict[str, tuple], Dict[str, dict]]:
    """The class lists and polarity maps each source declares, keyed by where they are.

    ``model``: every sub-module with a ``class_names`` attribute (the prompt head and its
    prompt learner); ``datasets``: name -> dataset (its ``metainfo``) or metainfo dict;
    ``metrics``: evaluator metrics with their own ``class_names``; ``checkpoint_meta``: a
    checkpoint's ``meta`` (its ``dataset_meta`` is the training set's metainfo)."""
    classes: Dict[str, tuple] = {}
    polarity: Dict[str, dict] = {}
    if model is not None:
        model = getattr(model, 'module', model)  # a DDP wrapper
        for name, module in model.named_modules():
            names = _names(getattr(module, 'class_names', None))
            if names:
                classes[f'model {name or type(model).__name__}.class_names'] = names
    for name, dataset in (datasets or {}).items():
        meta = dataset if isinstance(dataset, Mapping) else getattr(dataset, 'metainfo', None)
        if isinstance(meta, Mapping):
            if _names(meta.get('classes')):
                classes[f'{name} classes'] = _names(meta['classes'])
            if _polarity(meta.get('polarity')):
                polarity[f'{name} polarity'] = _polarity(meta['polarity'])
    for metric in metrics:
        names = _names(getattr(metric, 'class_names', None))
        if names:
            classes[f'metric {type(metric).__name__}.class_names'] = names
    dataset_meta = (checkpoint_meta or {}).get('dataset_meta')
    if isinstance(dataset_meta, Mapping):
        where = f'checkpoint {checkpoint or ""}'.rstrip()
        if _names(dataset_meta.get('classes')):
            classes[f'{where} meta.dataset_meta.classes'] = _names(dataset_meta['classes'])
        if _polarity(dataset_meta.get('polarity')):
            polarity[f'{where} meta.dataset_meta.polarity'] = _polarity(dataset_meta['polarity'])
    if _names(config_classes):
        classes['config class_names'] = _names(config_classes)
    if _polarity(config_polarity):
        polarity['config polarity_map'] = _polarity(config_polarity)
    return classes, polarity


def check_class_identity(**sources) -> Dict[str, tuple]:
    """Raise :class:`ClassIdentityError` naming every source unless all the class lists of
    :func:`class_sources` (same arguments) agree in count and order (case-insensitively,
    as the dataset matches words) and all polarity maps agree on every class.

    Returns the class lists compared (source -> names)."""
    classes, polarity = class_sources(**sources)
    problems: List[str] = []
    if len({tuple(n.lower() for n in names) for names in classes.values()}) > 1:
        listed = '; '.join(f'{where} ({len(names)}): {list(names)}'
                           for where, names in classes.items())
        problems.append(f'the class lists differ in names, order or count: {listed}')
    if len({tuple(sorted(p.items())) for p in polarity.values()}) > 1:
        listed = '; '.join(f'{where}: {p}' for where, p in polarity.items())
        problems.append(f'the polarity maps differ: {listed}')
    if problems:
        raise ClassIdentityError(
            '. '.join(problems) + '. Class id i is the i-th name everywhere (labels, '
            'prompts, per-class metrics, checkpoint): give every part the same '
            'class_names (the dataset config\'s) and polarity_map, or use a checkpoint '
            'trained with them.')
    return classes
