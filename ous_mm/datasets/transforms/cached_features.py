"""Read a clip's cached frozen-encoder features instead of decoding its video.

A cached pipeline is ``[LoadCachedFeatures(store=...), PackCachedFeatureInputs()]``
on the same dataset and annotation file as the end-to-end config: the dataset
still provides ``clip_id``, ``label`` and ``polarity``; the store (written by
``tools/extract_features.py``) provides what the frozen backbone would output.
"""
import random
from typing import Dict, Optional, Sequence, Union

import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

from ..feature_store import FeatureStore

VIEW_MODES = ('random', 'first')


@TRANSFORMS.register_module()
class LoadCachedFeatures(BaseTransform):
    """Load one clip view of backbone features from a :class:`FeatureStore`.

    With several augmented views cached per clip (``--views K``), training draws
    one at random each time the clip is loaded (a new view each epoch, the cheap
    stand-in for on-the-fly augmentation); evaluation uses view 0.

    Required keys: ``clip_id``.

    Added keys: ``features`` (dict: ``embed`` float32 (2, T, D), ``early`` float32
    (2, T, E); stream 0 = face, 1 = scene), ``feature_view`` (int),
    ``face_fallback`` (bool, recorded at extraction).

    Args:
        store (str): feature store directory.
        view (str | int): ``'random'`` (uniform over the cached views), ``'first'``
            (view 0), or a fixed view index.
        allow_incomplete (bool): open a store whose extraction is unfinished; a
            missing clip still raises.
    """

    def __init__(self, store: str, view: Union[str, int] = 'random',
                 allow_incomplete: bool = False) -> None:
        if not (isinstance(view, int) or view in VIEW_MODES):
            raise ValueError(f'view must be an int or one of {VIEW_MODES}, got {view!r}')
        self.store_path = store
        self.view = view
        self.allow_incomplete = allow_incomplete
        self._store: Optional[FeatureStore] = None  # opened lazily, once per worker

    @property
    def store(self) -> FeatureStore:
        if self._store is None:
            self._store = FeatureStore(self.store_path, allow_incomplete=self.allow_incomplete)
        return self._store

    def __getstate__(self) -> dict:  # workers re-open their own memmaps
        state = self.__dict__.copy()
        state['_store'] = None
        return state

    def transform(self, results: Dict) -> Dict:
        if 'clip_id' not in results:
            raise KeyError('LoadCachedFeatures needs `clip_id` in the sample (the store key)')
        store = self.store
        if self.view == 'random':
            view = random.randrange(store.num_views)
        elif self.view == 'first':
            view = 0
        else:
            view = int(self.view)
        features = store.get(results['clip_id'], view)
        results['features'] = {k: torch.from_numpy(v) for k, v in features.items()}
        results['feature_view'] = view
        results['face_fallback'] = store.is_face_fallback(results['clip_id'], view)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(store={self.store_path!r}, view={self.view!r})'


@TRANSFORMS.register_module()
class PackCachedFeatureInputs(BaseTransform):
    """Pack cached features and labels into the OUS sample (docs/architecture.md).

    The cached counterpart of ``PackFaceSceneInputs``: ``inputs`` is
    ``dict(embed=(2, T, D), early=(2, T, E))`` and the data sample carries the
    same ``gt_label`` / ``gt_polarity`` fields, so the recognizer skips the
    backbone and everything after it is unchanged.

    Required keys: ``features``.

    Optional keys: ``label`` -> ``gt_label``; ``polarity`` -> data field
    ``gt_polarity``; metainfo keys in ``meta_keys``.

    Added keys: ``inputs``, ``data_samples``.

    Args:
        meta_keys (sequence of str): copied into the sample's metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = ('clip_id', 'filename', 'label_name',
                                                   'face_fallback', 'feature_view')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        if 'features' not in results:
            raise KeyError('PackCachedFeatureInputs needs `features`; run LoadCachedFeatures first')
        sample = ActionDataSample()
        if results.get('label') is not None:
            sample.set_gt_label(int(results['label']))
        if results.get('polarity') is not None:
            sample.gt_polarity = torch.LongTensor([int(results['polarity'])])
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        return dict(inputs=dict(results['features']), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
