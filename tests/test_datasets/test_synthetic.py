"""The synthetic scene-DFER generator: deterministic, balanced, ambiguous faces, GT boxes."""
import hashlib
import json

import numpy as np
import pytest

import ous_mm  # noqa: F401
from ous_mm.datasets.face_detectors import read_box_file
from ous_mm.datasets.synthetic import CLASS_NAMES, POLARITY_MAP, plan_clips, render_clip
from ous_mm.datasets.synthetic.generator import split_counts

from .video_fixtures import load_tool


def test_plan_is_balanced_stratified_and_ambiguous_where_the_scene_decides():
    plans = plan_clips(140, seed=0, ambiguous_ratio=0.6)
    for split, share in (('train', 0.6), ('val', 0.2), ('test', 0.2)):
        members = [p for p in plans if p['split'] == split]
        per_class = {c: sum(p['label'] == c for p in members) for c in CLASS_NAMES}
        assert set(per_class.values()) == {int(20 * share)}, (split, per_class)
        amb = [p for p in members if p['ambiguous']]
        assert 0.3 < len(amb) / len(members) < 0.56  # about 0.6 * 5/7 = 43% (rounding)
    assert sum(p['ambiguous'] for p in plans) == 60  # 12 of the 20 clips of 5 classes
    for p in plans:
        if p['ambiguous']:
            # the same face type is used by classes of different polarity
            assert p['face_type'] in ('open_mouth', 'flat_down')
            assert p['label'] in {'open_mouth': ('Happy', 'Surprise', 'Fear'),
                                  'flat_down': ('Neutral', 'Sad')}[p['face_type']]
        else:
            assert p['face_type'] == p['label']
        assert p['polarity'] == POLARITY_MAP[p['label']]
    assert not any(p['ambiguous'] for p in plans if p['label'] in ('Angry', 'Disgust'))


# sha256[:16] of (frames bytes + boxes float64 bytes) of render_clip(plan_clips(n, seed)[i], seed,
# size, T), measured with the v2 generator (commit 05ddfab, numpy 2.2.6, OpenCV 4.12.0); key
# seed/n/size/T/i. The ``base`` variant must keep drawing exactly these clips.
V2_CLIP_HASHES = {
    '0/420/112/16/0': '8166e406f2a20fa3',
    '0/420/112/16/5': '38a9014025ed349b',
    '0/420/112/16/100': '0d0734f1847a6ac5',
    '0/420/112/16/419': '14011f80652ae617',
    '3/21/64/8/4': '63d1623f1f5b268e',
    '3/21/64/8/20': 'b5173a267556ca1a',
    '7/14/96/10/11': '4e13efddb5ea61bf',
}
# sha256[:16] of json.dumps([[index, label, polarity, face_type, ambiguous, split] ...]) of the
# v2 plan_clips(n, seed, ratio), same commit
V2_PLAN_HASHES = {(0, 420, 0.6): 'c38a99973b780acc', (5, 21, 0.6): 'aa602feb110189fa',
                  (1, 140, 0.3): 'ce0c82548dce1707'}


@pytest.mark.parametrize('key', sorted(V2_CLIP_HASHES))
def test_base_variant_draws_the_v2_clips_bit_for_bit(key):
    seed, n, size, num_frames, i = map(int, key.split('/'))
    frames, boxes = render_clip(plan_clips(n, seed)[i], seed, size, num_frames)
    h = hashlib.sha256()
    for f in frames:
        h.update(np.ascontiguousarray(f).tobytes())
    h.update(np.asarray(boxes, np.float64).tobytes())
    assert h.hexdigest()[:16] == V2_CLIP_HASHES[key]


def test_base_variant_plans_the_v2_clips():
    for (seed, n, ratio), want in V2_PLAN_HASHES.items():
        plans = plan_clips(n, seed, ratio)
        rows = [[p['index'], p['label'], p['polarity'], p['face_type'], p['ambiguous'],
                 p['split']] for p in plans]
        assert hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16] == want
        assert all(p['scene_polarity'] == p['polarity'] for p in plans)


def test_split_counts_give_every_split_a_clip():
    assert split_counts(3, (0.6, 0.2, 0.2)) == [1, 1, 1]
    assert split_counts(60, (0.6, 0.2, 0.2)) == [36, 12, 12]


def test_rendering_is_deterministic_and_the_face_sits_in_its_box():
    plan = plan_clips(7, seed=1)[0]
    f1, b1 = render_clip(plan, seed=1, size=96, num_frames=6)
    f2, b2 = render_clip(plan, seed=1, size=96, num_frames=6)
    f3, _ = render_clip(plan, seed=2, size=96, num_frames=6)
    assert all(np.array_equal(a, b) for a, b in zip(f1, f2)) and np.array_equal(b1, b2)
    assert not np.array_equal(f1[0], f3[0])
    # expression changes over time (onset -> apex), the face stays inside its box
    assert np.abs(f1[0].astype(int) - f1[-1].astype(int)).sum() > 0
    x1, y1, x2, y2 = b1[-1].astype(int)
    cy, cx = (y1 + y2) // 2, (x1 + x2) // 2
    face_px = f1[-1][cy - 2:cy + 3, x1 + 3:x1 + 6].reshape(-1, 3).mean(0)
    from ous_mm.datasets.synthetic.faces import SKIN_TONES
    assert min(np.abs(face_px - np.array(s)).max() for s in SKIN_TONES) < 60  # skin, tinted


def test_cli_writes_annotations_videos_boxes_and_caches(tmp_path):
    out = tmp_path / 'syn'
    argv = ['--out', str(out), '--num-clips', '21', '--seed', '5', '--num-frames', '8',
            '--size', '64', '--workers', '1']
    generate = load_tool('tools/data/synthetic/generate.py')
    generate.main(argv)
    lines = [json.loads(x) for x in (out / 'train.jsonl').read_text().splitlines()
             if x and not x.startswith('#')]
    assert len(lines) == 7  # split_counts(3) -> 1 train clip per class
    meta = json.loads((out / 'meta.json').read_text())
    assert sum(s['clips'] for s in meta['splits'].values()) == 21
    row = lines[0]
    assert set(row) >= {'clip_id', 'scene', 'faces', 'label', 'boxes'} and row['faces'] is None
    assert row['label'] in CLASS_NAMES and (out / row['scene']).stat().st_size > 0
    boxes = read_box_file(str(out / row['boxes']))
    assert boxes['num_frames'] == 8 and all(len(b) == 1 for b in boxes['boxes'])
    mtime = (out / 'meta.json').stat().st_mtime_ns
    generate.main(argv)
    assert (out / 'meta.json').stat().st_mtime_ns == mtime  # cached, not regenerated
