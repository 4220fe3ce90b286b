"""Two gloo processes: one CLIP download per node, and the scene-face InfoNCE all-gather."""
import os

import pytest
import torch
import torch.multiprocessing as mp

from .dist_workers import scene_face_loss_and_grads, scene_face_problem, two_rank_worker


@pytest.fixture(scope='module')
def ranks(tmp_path_factory):
    """What each of 2 ranks saw, from one spawned session (dist_workers.two_rank_worker)."""
    tmp = tmp_path_factory.mktemp('two_ranks')
    out = str(tmp / 'result')
    mp.spawn(two_rank_worker, args=(2, str(tmp / 'init'), str(tmp / 'hub'), out), nprocs=2,
             join=True)
    return [torch.load(f'{out}.{rank}') for rank in (0, 1)]


def test_only_local_rank_0_downloads_and_the_others_read_the_cache(ranks):
    (path0, calls0), (path1, calls1) = (r['download'] for r in ranks)
    assert calls0 == 1 and calls1 == 0  # one download, by local rank 0; rank 1 waited
    assert path0 == path1 and os.path.isfile(path1)


def test_scene_face_infonce_matches_one_process_on_the_same_total_batch(ranks):
    face_x, scene_x, proj = scene_face_problem()
    for symmetric in (False, True):
        single = scene_face_loss_and_grads(face_x, scene_x, proj, symmetric)
        # the batch split in two halves without the all-gather: other negatives
        halves = [scene_face_loss_and_grads(face_x[i:i + 4], scene_x[i:i + 4], proj,
                                            symmetric)[0] for i in (0, 4)]
        assert abs(float(sum(halves) / 2) - float(single[0])) > 1e-3  # the test can tell
        for rank in ranks:
            for got, want in zip(rank['gather'][symmetric], single):  # loss, d weight, d bias
                torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_without_a_process_group_the_loss_is_the_in_batch_one():
    from ous_mm.models.losses import ContrastiveLoss
    face, scene = torch.randn(2, 5, 4).unbind(0)
    logits = torch.nn.functional.normalize(scene, dim=-1) @ \
        torch.nn.functional.normalize(face, dim=-1).t() / 0.07
    expected = torch.nn.functional.cross_entropy(logits, torch.arange(5))
    got = ContrastiveLoss(mode='scene_face')(face_feat=face, scene_feat=scene)
    torch.testing.assert_close(got, expected)
