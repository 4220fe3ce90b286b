"""Every face followed through a video: crossing people keep their ids, a person who
leaves and returns keeps theirs, short tracks are dropped and counted."""
import numpy as np
import pytest

from ous_mm.datasets.face_track import box_iou
from ous_mm.datasets.multi_face_track import face_descriptor, track_all_faces
from ous_mm.datasets.synthetic.people_clips import PEOPLE, people_clip


def _descriptor(seed: int) -> np.ndarray:
    vec = np.random.RandomState(seed).randn(16)
    return vec / np.linalg.norm(vec)


def _box(cx: float, cy: float, side: float = 40.0) -> list:
    return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, 0.99]


def test_crossing_people_are_not_swapped_and_a_returning_one_keeps_its_id():
    """A walks right, B walks left on nearly the same line (they overlap mid-way) and look
    the same (only their motion tells them apart); C leaves for 20 frames and comes back
    elsewhere; a false positive shows up in 2 frames."""
    looks = [_descriptor(0), _descriptor(0), _descriptor(2)]
    fp_look = _descriptor(9)
    frame_ids, dets, descs, truth = [], [], [], []
    for f in range(0, 60, 2):
        boxes, vecs, who = [], [], []
        boxes.append(_box(20 + 5 * f, 100)), vecs.append(looks[0]), who.append(0)
        boxes.append(_box(320 - 5 * f, 108)), vecs.append(looks[1]), who.append(1)
        if not 20 <= f < 40:
            boxes.append(_box(200 if f < 20 else 60, 250)), vecs.append(looks[2]), who.append(2)
        if f in (30, 32):
            boxes.append(_box(300, 300)), vecs.append(fp_look), who.append(-1)
        frame_ids.append(f)
        dets.append(np.array(boxes, np.float32))
        descs.append(np.stack(vecs))
        truth.append(who)
    tracks, dropped = track_all_faces(frame_ids, dets, descs, max_gap=10)
    assert dropped == 1  # the 2-frame false positive
    assert [t.track_id for t in tracks] == [1, 2, 3]
    owner = {}
    for track in tracks:
        people = set()
        for f, box in track.boxes.items():
            k = frame_ids.index(f)
            match = int(np.argmax(box_iou(box, dets[k])))
            people.add(truth[k][match])
        assert len(people) == 1, (track.track_id, people)  # never swapped
        owner[track.track_id] = people.pop()
    assert sorted(owner.values()) == [0, 1, 2]
    returning = next(t for t in tracks if owner[t.track_id] == 2)
    assert len(returning.boxes) == 20 and returning.frames[-1] == 58  # one id, both visits
    assert returning.covered(30, max_gap=10) is None  # out of view while away
    np.testing.assert_allclose(returning.covered(43, max_gap=10)[:2], [40, 230])  # interpolated


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match='increasing'):
        track_all_faces([2, 1], [np.zeros((0, 5))] * 2, [np.zeros((0, 1))] * 2, max_gap=5)
    with pytest.raises(ValueError, match='2 frames'):
        track_all_faces([1, 2], [np.zeros((0, 5))], [np.zeros((0, 1))], max_gap=5)


def test_people_clip_ground_truth_and_descriptors_tell_the_people_apart():
    frames, boxes = people_clip(60)
    assert len(frames) == 60 and frames[0].shape == (360, 640, 3)
    assert boxes.shape == (60, len(PEOPLE), 4)
    hidden = np.isnan(boxes[:, :, 0])
    assert not hidden[:, 1].any()  # the one in front of the crossing is always seen
    assert hidden[25:35, 2].all() and not hidden[:15, 2].any() and not hidden[-15:, 2].any()
    assert hidden[:, 0].sum() > 0  # covered while the two cross
    # the same person in two frames looks more alike than two people in one frame
    first = [face_descriptor(frames[0], b) for b in boxes[0]]
    last = [face_descriptor(frames[59], b) for b in boxes[59]]
    same = [float(a @ b) for a, b in zip(first, last)]
    other = [float(first[i] @ first[j]) for i in range(3) for j in range(3) if i != j]
    assert min(same) > max(other) + 0.2, (same, other)
