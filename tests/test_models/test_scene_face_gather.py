"""Scene-face InfoNCE under DDP: 2 gloo processes give the 1-process loss and gradients."""
import pytest
import torch
import torch.multiprocessing as mp

from .dist_workers import gather_worker, scene_face_loss_and_grads, scene_face_problem


@pytest.mark.parametrize('symmetric', [False, True])
def test_two_processes_match_one_process_on_the_same_total_batch(tmp_path, symmetric):
    face_x, scene_x, proj = scene_face_problem()
    single = scene_face_loss_and_grads(face_x, scene_x, proj, symmetric)
    # the same batch split in two halves without the all-gather: other negatives
    halves = [scene_face_loss_and_grads(face_x[i:i + 4], scene_x[i:i + 4], proj, symmetric)[0]
              for i in (0, 4)]
    assert abs(float(sum(halves) / 2) - float(single[0])) > 1e-3  # the test can tell

    results = mp.get_context('spawn').Manager().dict()
    mp.spawn(gather_worker, args=(2, str(tmp_path / 'init'), symmetric, results), nprocs=2,
             join=True)
    for rank in (0, 1):
        for got, want in zip(results[rank], single):  # loss, d weight, d bias
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_without_a_process_group_the_loss_is_the_in_batch_one():
    from ous_mm.models.losses import ContrastiveLoss
    face, scene = torch.randn(2, 5, 4).unbind(0)
    logits = torch.nn.functional.normalize(scene, dim=-1) @ \
        torch.nn.functional.normalize(face, dim=-1).t() / 0.07
    expected = torch.nn.functional.cross_entropy(logits, torch.arange(5))
    got = ContrastiveLoss(mode='scene_face')(face_feat=face, scene_feat=scene)
    torch.testing.assert_close(got, expected)
