"""Scene stream geometry of a 16:9 frame: CLIP's centre crop (default), squash, pad."""
import numpy as np
import pytest

from ous_mm.datasets.transforms.face_scene_split import SCENE_RESIZE_MODES, FaceSceneSplit

RED, BLUE, GREY = (255, 0, 0), (0, 0, 255), (128, 128, 128)


def _frame(h: int = 180, w: int = 320) -> np.ndarray:
    """16:9: red band on the left, blue band on the right (10 % each), a grey square centred."""
    frame = np.zeros((h, w, 3), np.uint8)
    frame[:, :w // 10] = RED
    frame[:, w - w // 10:] = BLUE
    side = h // 2
    y0, x0 = (h - side) // 2, (w - side) // 2
    frame[y0:y0 + side, x0:x0 + side] = GREY
    return frame


def _scene(mode=None, size: int = 90) -> np.ndarray:
    kwargs = {} if mode is None else dict(scene_resize=mode)
    split = FaceSceneSplit(detector=None, out_size=size, **kwargs)
    return split._resize_scene(_frame())


def _grey_box(img: np.ndarray):
    ys, xs = np.nonzero((np.abs(img.astype(int) - 128) < 20).all(-1))
    return ys.max() - ys.min() + 1, xs.max() - xs.min() + 1


def test_default_is_clip_centre_crop():
    assert FaceSceneSplit(detector=None).scene_resize == 'crop' == SCENE_RESIZE_MODES[0]
    img = _scene()
    assert img.shape == (90, 90, 3)
    colours = {tuple(c) for c in img.reshape(-1, 3)}
    assert RED not in colours and BLUE not in colours  # the side bands are cut away
    h, w = _grey_box(img)
    assert abs(h - w) <= 1 and abs(h - 45) <= 2  # undistorted, scaled by 90/180


def test_squash_keeps_the_sides_but_distorts():
    img = _scene('squash')
    assert tuple(img[45, 2]) == RED and tuple(img[45, -3]) == BLUE
    h, w = _grey_box(img)
    assert h / w == pytest.approx(320 / 180, rel=0.08)  # the square became 1.78x taller than wide


@pytest.mark.parametrize('mode', ['pad', 'letterbox'])
def test_pad_keeps_everything_undistorted_inside_borders(mode):
    img = _scene(mode)
    assert (img[:10] == 0).all() and (img[-10:] == 0).all()  # mask_value borders
    assert tuple(img[45, 1]) == RED and tuple(img[45, -2]) == BLUE
    h, w = _grey_box(img)
    assert abs(h - w) <= 1 and abs(h - 25) <= 2  # scaled by 90/320


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="'crop', 'squash', 'pad'"):
        FaceSceneSplit(detector=None, scene_resize='stretch')
