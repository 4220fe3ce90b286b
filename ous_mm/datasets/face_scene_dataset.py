"""Dataset of clips in our JSON Lines annotation format (data/README.md)."""
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.registry import DefaultScope

from .annotation import AnnotationError, class_ids, label_id, read_annotation_file, resolve_path

POLARITY_IDS = {'positive': 0, 'neutral': 1, 'negative': 2}


class ClipLoadError(RuntimeError):
    """Any failure while loading one clip, re-raised with its annotation line and paths."""


@DATASETS.register_module()
class FaceSceneDataset(BaseActionDataset):
    """Clips with a scene source, optional face frames, a class word and a polarity.

    Class ids follow ``class_names`` (the dataset config's order); words in the
    annotation are matched case-insensitively, and an unknown word is an
    :class:`AnnotationError` naming file and line. Polarity ids: 0 positive,
    1 neutral, 2 negative, from ``polarity_map`` (class word -> polarity word).
    Both can also come as ``metainfo=dict(classes=..., polarity=...)``.

    Each data info holds ``clip_id``, ``filename`` (scene path, joined to
    ``data_prefix['video']``, i.e. ``data_root``), ``face_dir``, ``boxes_file``
    (or None), ``label``, ``label_name``, ``polarity``, ``ann_where`` (file:line).
    Any exception while running the pipeline on a clip is re-raised as
    :class:`ClipLoadError` naming the annotation line and the clip's files.

    Args:
        ann_file (str): ``.jsonl`` file (relative to ``data_root``); ``{fold}``
            is replaced by ``fold``.
        pipeline (list): transforms.
        class_names (sequence of str, optional): class words in id order.
        polarity_map (dict, optional): class word -> ``'positive' | 'neutral' | 'negative'``.
        fold (int, optional): fills ``{fold}`` in ``ann_file`` (DFEW, MAFW).
        data_prefix (dict): ``video`` = root of relative ``scene``/``faces``/``boxes``
            paths (default: ``data_root``).
        allow_unlabeled (bool): accept ``"label": null`` (inference lists);
            such clips get label -1 and no polarity.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 class_names: Optional[Sequence[str]] = None,
                 polarity_map: Optional[Mapping[str, str]] = None,
                 fold: Optional[int] = None,
                 data_prefix: Dict = dict(video=''),
                 metainfo: Optional[Dict] = None,
                 allow_unlabeled: bool = False,
                 **kwargs) -> None:
        metainfo = dict(metainfo or {})
        if class_names is not None:
            metainfo['classes'] = tuple(class_names)
        if polarity_map is not None:
            metainfo['polarity'] = dict(polarity_map)
        if not metainfo.get('classes'):
            raise ValueError('FaceSceneDataset needs class_names (or metainfo=dict(classes=...))')
        classes = tuple(metainfo['classes'])
        self._class_ids = class_ids(classes)
        if len(self._class_ids) != len(classes):
            raise ValueError(f'class_names has duplicates (case-insensitive): {classes}')
        polarity = metainfo.get('polarity')
        self._polarity_ids = None
        if polarity is not None:
            lowered = {str(k).lower(): str(v).lower() for k, v in polarity.items()}
            unknown = [c for c in classes if c.lower() not in lowered]
            if unknown:
                raise ValueError(f'polarity_map has no entry for classes {unknown}')
            bad = {k: v for k, v in lowered.items() if v not in POLARITY_IDS}
            if bad:
                raise ValueError(f'polarity_map values must be positive/neutral/negative: {bad}')
            self._polarity_ids = [POLARITY_IDS[lowered[c.lower()]] for c in classes]
        metainfo['classes'] = classes
        if fold is not None and '{fold}' in ann_file:
            ann_file = ann_file.replace('{fold}', str(fold))
        self.fold = fold
        self.allow_unlabeled = allow_unlabeled
        # Pipelines name mmaction-scope transforms; outside a Runner (scripts, tests,
        # ous_mm.apis) there may be no default scope yet, so supply it.
        scope = None if DefaultScope.get_current_instance() is not None else 'mmaction'
        with DefaultScope.overwrite_default_scope(scope):
            super().__init__(ann_file, pipeline=pipeline, data_prefix=data_prefix,
                             metainfo=metainfo, num_classes=len(classes), **kwargs)

    def load_data_list(self) -> List[Dict]:
        if '{fold}' in self.ann_file:
            raise ValueError(f'ann_file {self.ann_file!r} contains {{fold}}: set `fold`')
        records = read_annotation_file(self.ann_file)
        if not records:
            raise AnnotationError(f'{self.ann_file}: annotation file lists no clips')
        root = self.data_prefix.get('video', '') or self.data_root or ''
        data_list = []
        for rec in records:
            label = label_id(rec, self._class_ids, self.metainfo['classes'], self.allow_unlabeled)
            polarity = None if label < 0 or self._polarity_ids is None else self._polarity_ids[label]
            data_list.append(dict(
                clip_id=rec.clip_id,
                filename=resolve_path(rec.scene, root),
                face_dir=resolve_path(rec.faces, root),
                boxes_file=resolve_path(rec.boxes, root),
                label=label,
                label_name=None if label < 0 else self.metainfo['classes'][label],
                polarity=polarity,
                ann_where=rec.where))
        return data_list

    def prepare_data(self, idx: int):
        try:
            return super().prepare_data(idx)
        except ClipLoadError:
            raise
        except Exception as err:
            info = self.get_data_info(idx)
            files = ', '.join(f'{k}={info[k]}' for k in ('filename', 'face_dir', 'boxes_file')
                              if info.get(k))
            raise ClipLoadError(f'{info.get("ann_where")}: clip {info.get("clip_id")!r} '
                                f'({files}): {type(err).__name__}: {err}') from err

    @property
    def class_counts(self) -> List[int]:
        """Clips per class id (for class-balanced losses and reports)."""
        counts = [0] * len(self.metainfo['classes'])
        for i in range(len(self)):
            label = self.get_data_info(i)['label']
            if label >= 0:
                counts[label] += 1
        return counts


__all__ = ['FaceSceneDataset', 'ClipLoadError', 'POLARITY_IDS']
