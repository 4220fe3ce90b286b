"""Tiny copies of the official DFEW / FERV39k / MAFW layouts and of users' lists.

Each builder writes a handful of clips (scene videos as named placeholder
files, face folders with real image files) plus the official split files,
and returns the ground truth the converters must reproduce:
``truth[key] = dict(label=word, scene=rel path or None, faces=rel path or None,
num_frames=int)`` and ``folds[split] = [(key, label word), ...]``.
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

_IMAGE_CACHE: Dict[str, bytes] = {}


def image_bytes(ext: str) -> bytes:
    """A real 8x8 image file's bytes (encoded once)."""
    if ext not in _IMAGE_CACHE:
        import cv2
        ok, buf = cv2.imencode(ext, np.full((8, 8, 3), 127, np.uint8))
        assert ok
        _IMAGE_CACHE[ext] = buf.tobytes()
    return _IMAGE_CACHE[ext]


def _touch(path: str, data: bytes = b'\x00' * 16) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def _frames(folder: str, names: List[str], ext: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for n in names:
        _touch(osp.join(folder, n + ext), image_bytes(ext))


def _write(path: str, lines: List[str], newline: str = '\n') -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(newline.join(lines) + newline)


DFEW_WORDS = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')


def build_dfew(root: str, variant: str = 'nested') -> Tuple[dict, dict]:
    """DFEW with 12 clips in 5 folds.

    ``nested``: scenes in ``Clip/original/part_1/<id>.mp4`` (unpadded stems),
    faces one level deeper (``clip_224x224/clip_224x224_part_1/<id>/``),
    split folders spelled ``single-labeled``. ``flat``: scenes directly in
    ``Clip/original/`` with padded stems, faces directly in ``clip_224x224``,
    ``single_labeled`` spelling, ids in the CSV zero-padded. Everything sits one
    extra folder down (``root/DFEW/``) as some archives unpack.

    Clip 10 has no scene and no faces, 11 faces but no scene, 12 a scene but
    no face folder, 9 an empty face folder.
    """
    base = osp.join(root, 'DFEW')
    truth = {}
    for cid in range(1, 13):
        key = f'{cid:05d}'
        label = DFEW_WORDS[(cid - 1) % 7]
        if variant == 'nested':
            scene = f'DFEW/Clip/original/part_1/{cid}.mp4'
            faces = f'DFEW/Clip/clip_224x224/clip_224x224_part_1/{key}'
        else:
            scene = f'DFEW/Clip/original/{key}.mp4'
            faces = f'DFEW/Clip/clip_224x224/{key}'
        n = 3 + cid % 4
        has_scene = cid not in (10, 11)
        has_faces = cid not in (10, 12)
        if has_scene:
            _touch(osp.join(root, scene))
        if has_faces:
            # gaps in the frame index, as in DFEW (frames without a face deleted)
            _frames(osp.join(root, faces), [f'{key}_{2 * i + 1:05d}' for i in range(n if cid != 9 else 0)],
                    '.jpg')
        truth[key] = dict(label=label, scene=scene if has_scene else None,
                          faces=faces if has_faces and cid != 9 else None,
                          num_frames=n if has_faces and cid != 9 else 0)
    spelling = 'single-labeled' if variant == 'nested' else 'single_labeled'
    folds = {}
    for k in range(1, 6):
        test = [c for c in range(1, 13) if c % 5 == k - 1]
        train = [c for c in range(1, 13) if c % 5 != k - 1]
        for phase, ids in (('train', train), ('test', test)):
            rows = ['video_name,label'] + [
                f'{(f"{c:05d}" if variant == "flat" else str(c))},{(c - 1) % 7 + 1}' for c in ids]
            _write(osp.join(base, 'EmoLabel_DataSplit', f'{phase}({spelling})', f'set_{k}.csv'),
                   rows, '\r\n' if variant == 'flat' else '\n')
            folds[f'set_{k}_{phase}'] = [(f'{c:05d}', truth[f'{c:05d}']['label']) for c in ids]
    # the 16-frame resample must not be taken for the face folders
    _frames(osp.join(base, 'Clip', 'clip_224x224_16f', '00001'), ['1', '2'], '.jpg')
    return truth, folds


FERV_CLIPS = [
    # key, has scene video, has scene frames, has faces, n face frames
    ('Action/Happy/0001', True, False, True, 4),
    ('Action/Happy/0002', True, False, True, 3),
    ('Interview/Happy/0001', True, False, True, 5),  # same id, other scene
    ('Interview/Sad/0118', False, True, True, 2),  # scene only as frames
    ('War/Fear/0003', True, False, False, 0),  # no face folder
    ('DailyLife/Angry/0007', True, False, True, 3),
    ('Talkshow/Surprise/0010', False, False, True, 2),  # no scene at all
]


def build_ferv39k(root: str) -> Tuple[dict, dict]:
    """FERV39k with 7 clips; ``test_All.csv`` starts with a header line."""
    truth = {}
    for key, vid, frames, faces, n in FERV_CLIPS:
        scene = None
        if vid:
            scene = f'0_7_LabelClips/{key}.mp4'
            _touch(osp.join(root, scene))
        elif frames:
            scene = f'3_ClipsforScenImages/{key}'
            _frames(osp.join(root, scene), ['0001', '0002'], '.jpg')
        face = f'2_ClipsforFaceCrop/{key}' if faces else None
        if faces:
            _frames(osp.join(root, face), [f'{i:04d}' for i in range(1, n + 1)], '.jpg')
        truth[key] = dict(label=key.split('/')[1], scene=scene, faces=face, num_frames=n)
    keys = [c[0] for c in FERV_CLIPS]
    folds = {'train': [(k, truth[k]['label']) for k in keys[:4]],
             'test': [(k, truth[k]['label']) for k in keys[4:]]}
    setups = osp.join(root, '4_setups', 'All_scenes')
    _write(osp.join(setups, 'train_All.csv'), [f'{k} {w}' for k, w in folds['train']])
    _write(osp.join(setups, 'test_All.csv'), ['name label'] + [f'{k} {w}' for k, w in folds['test']])
    return truth, folds


MAFW_WORDS = ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise',
              'contempt', 'anxiety', 'helplessness', 'disappointment')
MAFW_IDS = [25, 28, 108, 123, 137, 152, 153, 210, 244, 262, 264]


def build_mafw(root: str) -> Tuple[dict, dict]:
    """MAFW with 11 clips (one per class), PNG faces one level deeper, CRLF lists.

    Clip 00264 has no scene video.
    """
    truth = {}
    for i, cid in enumerate(MAFW_IDS):
        key = f'{cid:05d}'
        scene = f'data/clips/{key}.mp4' if cid != 264 else None
        if scene:
            _touch(osp.join(root, scene))
        faces = f'data/frames/frames_crop_align_224/{key}'
        _frames(osp.join(root, faces), [f'{j:03d}' for j in range(1, 4)], '.png')
        truth[key] = dict(label=MAFW_WORDS[i], scene=scene, faces=faces, num_frames=3)
    folds = {}
    base = osp.join(root, 'Train & Test Set')
    for k in range(1, 6):
        test = [c for j, c in enumerate(MAFW_IDS) if j % 5 == k - 1]
        train = [c for c in MAFW_IDS if c not in test]
        for phase, ids in (('train', train), ('test', test)):
            pairs = [(f'{c:05d}', truth[f'{c:05d}']['label']) for c in ids]
            _write(osp.join(base, 'single', 'no_caption', f'set_{k}', f'{phase}.txt'),
                   [f'{key}.mp4 {w}' for key, w in pairs], '\r\n')
            # compound lists must not be read
            _write(osp.join(base, 'compound', 'no_caption', f'set_{k}', f'{phase}.txt'),
                   [f'{key}.mp4 anger_disgust' for key, _ in pairs], '\r\n')
            folds[f'set_{k}_{phase}'] = pairs
    return truth, folds


# ---------------------------------------------------------------- users' lists
DFER_CLIP_MAFW = ('happiness', 'sadness', 'neutral', 'anger', 'surprise', 'disgust', 'fear',
                  'contempt', 'anxiety', 'helplessness', 'disappointment')


def write_dfer_clip_list(path: str, dataset: str, pairs, truth) -> None:
    """``<foreign abs face dir> <n_frames> <label id>``, DFER-CLIP's orders."""
    lines = []
    for key, word in pairs:
        if dataset == 'dfew':
            prefix, label = '/data/EECS-IoannisLab/datasets/DFEW/DFEW_Frame_Face', DFEW_WORDS.index(word)
        elif dataset == 'mafw':
            prefix, label = '/data/EECS-IoannisLab/datasets/MAFW/data/faces', DFER_CLIP_MAFW.index(word)
        else:
            prefix, label = '/data/EECS-IoannisLab/datasets/FERV39K/2_ClipsforFaceCrop', DFEW_WORDS.index(word)
        lines.append(f'{prefix}/{key} {truth[key]["num_frames"]} {label}')
    _write(path, lines)


def write_mae_dfer_list(path: str, dataset: str, pairs) -> None:
    """``<foreign abs face dir> <label id>`` (official order - 1; FERV39k DFEW order)."""
    order = MAFW_WORDS if dataset == 'mafw' else DFEW_WORDS
    prefix = {'dfew': '/home/someone/AC/Dataset/DFEW/Clip/jpg_256',
              'mafw': '/home/someone/AC/Dataset/MAFW/data/frames',
              'ferv39k': '/home/someone/AC/Dataset/FERV39k/2_ClipsforFaceCrop'}[dataset]
    _write(path, [f'{prefix}/{key} {order.index(word)}' for key, word in pairs])


def write_s2d_list(path: str, dataset: str, pairs) -> None:
    """S2D's csv: header, ``<id or Scene/Class/id>,<label id>``; FERV39k/MAFW alphabetical."""
    if dataset == 'dfew':
        header, order = 'video_name,label', DFEW_WORDS
    elif dataset == 'mafw':
        header, order = 'video_name,labels', tuple(sorted(MAFW_WORDS))
    else:
        header, order = 'path,id', tuple(sorted(DFEW_WORDS))
    _write(path, [header] + [f'{key},{order.index(word)}' for key, word in pairs])


# ------------------------------------------------- playable copies (real media files)
def build_dfew_playable(root: str, num_clips: int = 15, frames: int = 6,
                        size: int = 48) -> Dict[str, Tuple[str, List[str]]]:
    """DFEW in its official layout with REAL media, small enough to train on in seconds.

    ``num_clips`` clips (labels cycle through the 7 classes): a scene video
    ``Clip/original/part_1/<id>.mp4`` whose colour encodes the class, the face folder
    ``Clip/clip_224x224/<00001>/`` with ``frames`` JPEGs, and the 5 official split CSVs
    (fold k tests the clips with ``id % 5 == k - 1``). Returns ``split -> ids``.
    """
    import cv2
    base = osp.join(root, 'DFEW')
    for cid in range(1, num_clips + 1):
        key, label = f'{cid:05d}', (cid - 1) % 7
        tone = 30 + 30 * label
        scene = np.zeros((size, size, 3), np.uint8)
        scene[..., 0], scene[..., 1] = tone, 255 - tone
        path = osp.join(base, 'Clip', 'original', 'part_1', f'{cid}.mp4')
        os.makedirs(osp.dirname(path), exist_ok=True)
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 10, (size, size))
        assert writer.isOpened(), path
        for t in range(frames):
            writer.write(np.roll(scene, t, axis=1))
        writer.release()
        face = np.full((size // 2, size // 2, 3), tone, np.uint8)
        folder = osp.join(base, 'Clip', 'clip_224x224', key)
        os.makedirs(folder, exist_ok=True)
        for t in range(frames):
            assert cv2.imwrite(osp.join(folder, f'{key}_{t + 1:05d}.jpg'), face)
    splits = {}
    for k in range(1, 6):
        test = [c for c in range(1, num_clips + 1) if c % 5 == k - 1]
        train = [c for c in range(1, num_clips + 1) if c % 5 != k - 1]
        for phase, ids in (('train', train), ('test', test)):
            _write(osp.join(base, 'EmoLabel_DataSplit', f'{phase}(single-labeled)', f'set_{k}.csv'),
                   ['video_name,label'] + [f'{c},{(c - 1) % 7 + 1}' for c in ids])
            splits[f'set_{k}_{phase}'] = [f'{c:05d}' for c in ids]
    return splits


CAER_WORDS = ('Anger', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise')


def _still(path: str, tone: int, size: int = 40) -> None:
    import cv2
    os.makedirs(osp.dirname(path), exist_ok=True)
    img = np.zeros((size, size + 8, 3), np.uint8)
    img[..., 1], img[..., 2] = tone, 255 - tone
    assert cv2.imwrite(path, img), path


def _avi(path: str, tone: int, frames: int = 4, size: int = 40) -> None:
    import cv2
    os.makedirs(osp.dirname(path), exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10, (size + 8, size))
    assert writer.isOpened(), path
    for t in range(frames):
        img = np.zeros((size, size + 8, 3), np.uint8)
        img[..., 1], img[..., 2] = tone, (255 - tone + 10 * t) % 256
        writer.write(img)
    writer.release()


def build_caer(root: str, still: bool = False) -> Dict[str, Dict]:
    """CAER (``still=False``: .avi clips, train / validation / test) or CAER-S (.png
    stills, train / test) in the official class-folder layout, with the traps of real
    copies: an extra ``CAER/CAER/`` level, macOS debris (``__MACOSX/`` copy, ``._*``
    forks, ``.DS_Store``), per-class numbering (``0001`` in every class), class folders
    spelled ``Angry`` and ``happy``, an upper-case extension, a copy named ``0002 (1)``,
    a 0-byte file and a folder that is no class.

    Returns ``split -> dict(written={clip_id: label}, unknown=n, unreadable=n)``.
    """
    top = osp.join(root, 'CAER-S' if still else 'CAER', 'CAER-S' if still else 'CAER')
    ext = '.png' if still else '.avi'
    write = _still if still else _avi
    splits = ('train', 'test') if still else ('train', 'validation', 'test')
    ours = dict(train='train', validation='val', test='test')
    truth = {}
    for split in splits:
        written, per_class = {}, 2 if split == 'train' else 1
        for i, word in enumerate(CAER_WORDS):
            folder = word
            if word == 'Anger' and split == splits[1]:
                folder = 'Angry'  # as public CAER-S counts spell it
            if word == 'Happy' and split == splits[-1] and not still:
                folder = 'happy'
            if word == 'Surprise' and still and split == 'test':
                folder = 'surprise'
            for n in range(1, per_class + 1):
                name = f'{n:04d}' + (ext.upper() if word == 'Sad' and split == 'test' else ext)
                write(osp.join(top, split, folder, name), 30 * i)
                written[f'{split}/{word}/{n:04d}'] = word
        truth[ours[split]] = dict(written=written, unknown=0, unreadable=0)
    # debris and traps
    _touch(osp.join(top, 'train', 'Anger', '._0001' + ext), b'\x00\x05\x16\x07')
    _touch(osp.join(top, 'train', '.DS_Store'), b'\x00')
    _touch(osp.join(top, 'train', 'Happy', 'Thumbs.db'), b'\x00')
    write(osp.join(root, '__MACOSX', 'CAER', 'train', 'Anger', '0001' + ext), 0)
    write(osp.join(top, 'train', 'Happy', '0002 (1)' + ext), 90)
    truth['train']['written']['train/Happy/0002 (1)'] = 'Happy'
    write(osp.join(top, 'train', 'Contempt', '0001' + ext), 10)  # not a CAER class
    truth['train']['unknown'] = 1
    _touch(osp.join(top, 'test', 'Fear', '0099' + ext), b'')  # interrupted download
    truth['test']['unreadable'] = 1
    return truth
