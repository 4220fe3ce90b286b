"""Every config has a cached variant that trains the same model from feature stores."""
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted((REPO / 'configs/ous').glob('*.py')) + sorted(
    (REPO / 'configs/ous/ablations').glob('*.py'))


@pytest.mark.parametrize('source', SOURCES, ids=lambda p: p.name)
def test_cached_variant_exists_and_only_swaps_the_pipelines(source):
    rel = source.relative_to(REPO / 'configs/ous')
    cached_path = REPO / 'configs/ous/cached' / rel.with_name(rel.stem + '_cached.py')
    assert cached_path.is_file(), f'no cached variant of {rel}'
    src, cached = Config.fromfile(str(source)), Config.fromfile(str(cached_path))
    assert cached.model == src.model
    for split, view in (('train', 'random'), ('val', 'first'), ('test', 'first')):
        ds, ds_src = cached[f'{split}_dataloader'].dataset, src[f'{split}_dataloader'].dataset
        assert [t.type for t in ds.pipeline] == ['LoadCachedFeatures', 'PackCachedFeatureInputs']
        assert ds.pipeline[0].view == view
        assert ds.ann_file == ds_src.ann_file and ds.get('fold') == ds_src.get('fold')
    # a train store never doubles as an evaluation store
    assert cached.train_dataloader.dataset.pipeline[0].store != \
        cached.test_dataloader.dataset.pipeline[0].store
