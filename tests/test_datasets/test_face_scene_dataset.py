"""FaceSceneDataset: our jsonl format, label words, polarity, and errors naming file:line."""
import json

import numpy as np
import pytest
from mmengine.config import Config

import ous_mm  # noqa: F401
from mmaction.registry import DATASETS
from ous_mm.datasets import AnnotationError, ClipLoadError, FaceSceneDataset
from ous_mm.datasets.synthetic import generate_dataset

from .video_fixtures import color_frames, write_jsonl, write_video

CLASSES = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
POLARITY = dict(Happy='positive', Neutral='neutral', Surprise='neutral', Sad='negative',
                Angry='negative', Disgust='negative', Fear='negative')


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    generate_dataset(str(root), num_clips=21, seed=3, num_frames=10, progress=False)
    return root


def _dataset(root, ann, pipeline=(), **kw):
    return FaceSceneDataset(ann_file=str(ann), data_root=str(root), class_names=CLASSES,
                            polarity_map=POLARITY, pipeline=list(pipeline), **kw)


def test_label_words_polarity_and_paths(tmp_path):
    ann = write_jsonl(str(tmp_path / 'a.jsonl'), [
        '# a comment', '',
        dict(clip_id='1', scene='videos/1.mp4', faces='faces/1', label='happy', boxes=None),
        dict(clip_id='2', scene='/abs/2.mp4', faces=None, label='FEAR', boxes='b/2.json'),
        dict(clip_id='3', scene='frames/3', label='Surprise'),  # faces/boxes optional
    ])
    ds = _dataset(tmp_path, ann)
    assert len(ds) == 3
    a, b, c = (ds.get_data_info(i) for i in range(3))
    assert (a['label'], a['polarity'], a['label_name']) == (0, 0, 'Happy')
    assert (b['label'], b['polarity']) == (6, 2) and (c['label'], c['polarity']) == (4, 1)
    assert a['filename'] == str(tmp_path / 'videos/1.mp4') and a['face_dir'] == str(tmp_path / 'faces/1')
    assert b['filename'] == '/abs/2.mp4' and b['boxes_file'] == str(tmp_path / 'b/2.json')
    assert c['face_dir'] is None and a['ann_where'].endswith('a.jsonl:3')
    assert ds.metainfo['classes'] == CLASSES
    assert ds.class_counts == [1, 0, 0, 0, 1, 0, 1]


def test_metainfo_form_is_equivalent(tmp_path):
    ann = write_jsonl(str(tmp_path / 'a.jsonl'), [dict(clip_id='1', scene='v.mp4', label='Sad')])
    ds = FaceSceneDataset(ann_file=str(ann), pipeline=[], data_root=str(tmp_path),
                          metainfo=dict(classes=CLASSES, polarity=POLARITY))
    assert ds.get_data_info(0)['label'] == 1 and ds.get_data_info(0)['polarity'] == 2


@pytest.mark.parametrize('line, message', [
    ('{"clip_id": "9", "scene": "v.mp4", "label": "Joy"}', r"bad\.jsonl:2: unknown label 'Joy'"),
    ('{"clip_id": "9", "scene": "v.mp4"}', r"bad\.jsonl:2: missing key\(s\) \['label'\]"),
    ('{"clip_id": "9", "scene": "v.mp4", "label": 3}', r'bad\.jsonl:2: "label" must be the class WORD'),
    ('{"clip_id": "9", "scene": "v.mp4", "label": "Sad"', r'bad\.jsonl:2: not valid JSON'),
    ('["9", "v.mp4", "Sad"]', r'bad\.jsonl:2: expected a JSON object'),
    ('{"clip_id": "1", "scene": "w.mp4", "label": "Sad"}', r"bad\.jsonl:2: duplicate clip_id '1'"),
])
def test_bad_annotation_lines_name_file_and_line(tmp_path, line, message):
    ann = tmp_path / 'bad.jsonl'
    ann.write_text('{"clip_id": "1", "scene": "v.mp4", "label": "Sad"}\n' + line + '\n')
    with pytest.raises(AnnotationError, match=message):
        _dataset(tmp_path, ann)


def test_fold_placeholder(tmp_path):
    (tmp_path / 'annotations').mkdir()
    write_jsonl(str(tmp_path / 'annotations/dfew_set_3_train.jsonl'),
                [dict(clip_id='1', scene='v.mp4', label='Sad')])
    ds = _dataset(tmp_path, 'annotations/dfew_set_{fold}_train.jsonl', fold=3)
    assert ds.ann_file.endswith('dfew_set_3_train.jsonl') and len(ds) == 1


def test_synthetic_set_through_the_synthetic_config_pipeline(synthetic_root):
    cfg = Config.fromfile('configs/_base_/datasets/synthetic.py')  # complete as read
    for split in ('train', 'test'):
        ds_cfg = cfg[f'{split}_dataloader'].dataset
        ds_cfg.data_root = str(synthetic_root)
        ds = DATASETS.build(ds_cfg)
        sample = ds[0]
        inputs, ds0 = sample['inputs'], sample['data_samples']
        assert inputs.shape == (2, 8, 3, 64, 64)  # the synthetic config's 8 frames of 64 px
        assert str(inputs.dtype) == 'torch.uint8'
        info = ds.get_data_info(0)
        assert ds0.gt_label.item() == info['label']
        assert ds0.gt_polarity.item() == ('positive', 'neutral', 'negative').index(
            POLARITY[CLASSES[info['label']]])
        assert ds0.metainfo['clip_id'] == info['clip_id'] and not ds0.metainfo['face_fallback']
        # the face stream is the drawn face (skin/hair), the scene stream the whole frame
        assert not np.array_equal(inputs[0].numpy(), inputs[1].numpy())


def test_broken_clip_error_names_annotation_line_and_file(tmp_path):
    write_video(str(tmp_path / 'ok.mp4'), color_frames(5))
    (tmp_path / 'broken.mp4').write_bytes(b'')
    ann = write_jsonl(str(tmp_path / 'a.jsonl'), [
        dict(clip_id='ok', scene='ok.mp4', label='Sad'),
        dict(clip_id='bad', scene='broken.mp4', label='Sad')])
    pipeline = [dict(type='FaceSceneInit'), dict(type='FaceSceneSampleFrames', clip_len=4),
                dict(type='FaceSceneDecode'),
                dict(type='FaceSceneSplit', detector=dict(type='OpenCVFaceDetector'), out_size=16),
                dict(type='PackFaceSceneInputs')]
    ds = _dataset(tmp_path, ann, pipeline, test_mode=True)
    assert ds[0]['inputs'].shape == (2, 4, 3, 16, 16)
    assert ds[0]['data_samples'].metainfo['face_fallback'] is True  # no face in colour frames
    with pytest.raises(ClipLoadError, match=r"a\.jsonl:2: clip 'bad' .*broken\.mp4.*0 bytes"):
        ds[1]


def test_precomputed_boxes_read_from_generator_files(synthetic_root):
    from ous_mm.datasets.face_detectors import PrecomputedFaceBoxes, read_box_file
    rec = json.loads((synthetic_root / 'test.jsonl').read_text().splitlines()[1])
    payload = read_box_file(str(synthetic_root / rec['boxes']))
    det = PrecomputedFaceBoxes()
    frames = [np.zeros((112, 112, 3), np.uint8)] * 2
    out = det.detect(frames, dict(boxes_file=str(synthetic_root / rec['boxes']), frame_inds=[0, 9]))
    np.testing.assert_allclose(out[1], payload['boxes'][9])
    half = det.detect([np.zeros((56, 56, 3), np.uint8)],
                      dict(boxes_file=str(synthetic_root / rec['boxes']), frame_inds=[0]))
    np.testing.assert_allclose(half[0][:, :4], payload['boxes'][0][:, :4] / 2, atol=1e-4)
    from ous_mm.datasets.face_detectors import BoxFileError
    with pytest.raises(BoxFileError, match='out of range'):
        det.detect(frames[:1], dict(boxes_file=str(synthetic_root / rec['boxes']), frame_inds=[10]))
    with pytest.raises(BoxFileError, match='clip.mp4: PrecomputedFaceBoxes needs'):
        det.detect(frames[:1], dict(boxes_file=None, filename='clip.mp4', frame_inds=[0]))


@pytest.mark.parametrize('name', ['dfew', 'mafw', 'ferv39k'])
def test_real_set_configs_with_provided_faces(tmp_path, name):
    """The DFEW/MAFW/FERV39k base configs on a two-clip fake in the official shape."""
    from .video_fixtures import write_frame_folder
    cfg = Config.fromfile(f'configs/_base_/datasets/{name}.py')
    ann_rel = cfg.train_dataloader.dataset.ann_file.replace('{fold}', '1')
    (tmp_path / 'annotations').mkdir()
    write_video(str(tmp_path / 'scene.mp4'), color_frames(30, 72, 96))
    ext = 'png' if name == 'mafw' else 'jpg'  # MAFW ships PNG faces
    positive = [c for c in cfg.class_names if cfg.polarity_map[c] == 'positive'][0]
    write_frame_folder(str(tmp_path / 'faces'), color_frames(9, 40, 40),
                       [f'00001_{i:05d}.{ext}' for i in (1, 2, 3, 5, 8, 9, 10, 12, 13)])  # gaps
    write_jsonl(str(tmp_path / ann_rel), [
        dict(clip_id='1', scene='scene.mp4', faces='faces', label=cfg.class_names[2], boxes=None),
        dict(clip_id='2', scene='scene.mp4', faces=None, label=positive.upper(), boxes=None)])
    for split in ('train', 'test'):
        ds_cfg = cfg[f'{split}_dataloader'].dataset
        ds_cfg.data_root = str(tmp_path)
        ds_cfg.ann_file = ann_rel
        ds = DATASETS.build(ds_cfg)
        s = ds[0]
        assert s['inputs'].shape == (2, 16, 3, 224, 224)
        assert s['data_samples'].gt_label.item() == 2
        # 9 face frames -> 16 with the last repeated; the face stream is the provided crops
        assert s['data_samples'].metainfo['face_fallback'] is False
        if split == 'test':
            assert s['data_samples'].metainfo['frame_inds'][-1] == s[
                'data_samples'].metainfo['frame_inds'][-2]
        # a clip without faces: OpenCV finds none in colour frames -> documented fallback
        s2 = ds[1]
        assert s2['data_samples'].metainfo['face_fallback'] is True
        assert s2['data_samples'].gt_polarity.item() == 0  # Happy / happiness: positive
        assert s2['data_samples'].gt_label.item() == cfg.class_names.index(positive)
