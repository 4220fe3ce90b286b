"""Process bodies of tests/test_models/test_two_ranks.py; importable by spawned children."""
import os
import time
from pathlib import Path

import torch

HUB_REPO = 'timm/vit_base_patch16_clip_224.openai'  # where ViT-B-16/openai lives


def fake_hub_file(cache, repo: str, name: str = 'open_clip_model.safetensors') -> str:
    """A file in the Hugging Face cache layout (what hf_hub_download leaves behind)."""
    folder = Path(cache) / ('models--' + repo.replace('/', '--'))
    commit = 'a' * 40
    (folder / 'refs').mkdir(parents=True, exist_ok=True)
    (folder / 'refs' / 'main').write_text(commit)
    snapshot = folder / 'snapshots' / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    (snapshot / name).write_bytes(b'weights')
    return str(snapshot / name)


def _init(rank: int, world: int, init_file: str) -> None:
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=world)


def _download_check(rank: int, cache: str):
    """Resolve ViT-B-16/openai with a fake download: (path, downloads made on this rank)."""
    os.environ.update(HF_HUB_CACHE=cache, LOCAL_RANK=str(rank))
    os.environ.pop('HF_HUB_OFFLINE', None)
    from ous_mm.utils import clip_weights
    calls = []

    def fake_download(cfg):
        calls.append(rank)
        time.sleep(1.0)  # the other rank has to wait for it
        return fake_hub_file(cache, HUB_REPO)

    clip_weights._download = fake_download
    clip_weights.unreachable_reason = lambda host, port, timeout=0: None
    path = clip_weights.resolve_clip_file('ViT-B-16', 'openai')
    return path, len(calls)


def scene_face_problem(batch: int = 8, dim: int = 6, feat: int = 5, seed: int = 0):
    """(face inputs, scene inputs, a linear projection) of one global batch."""
    gen = torch.Generator().manual_seed(seed)
    face_x = torch.randn(batch, dim, generator=gen)
    scene_x = torch.randn(batch, dim, generator=gen)
    proj = torch.nn.Linear(dim, feat)
    with torch.no_grad():
        proj.weight.copy_(torch.randn(feat, dim, generator=gen))
        proj.bias.copy_(torch.randn(feat, generator=gen))
    return face_x, scene_x, proj


def scene_face_loss_and_grads(face_x, scene_x, proj, symmetric: bool):
    """The scene-face InfoNCE of these rows and d loss / d proj (weight, bias)."""
    from ous_mm.models.losses import ContrastiveLoss
    proj.zero_grad()
    loss = ContrastiveLoss(mode='scene_face', symmetric=symmetric)(
        face_feat=proj(face_x), scene_feat=proj(scene_x))
    loss.backward()
    return loss.detach(), proj.weight.grad.clone(), proj.bias.grad.clone()


def _gather_check(rank: int, world: int) -> dict:
    """This rank's half of the global batch, one- and two-directional loss; loss and
    gradients averaged over the ranks as DDP does."""
    import torch.distributed as dist
    face_x, scene_x, proj = scene_face_problem()
    rows = slice(rank * face_x.shape[0] // world, (rank + 1) * face_x.shape[0] // world)
    results = {}
    for symmetric in (False, True):
        got = scene_face_loss_and_grads(face_x[rows], scene_x[rows], proj, symmetric)
        for t in got:
            dist.all_reduce(t)
            t /= world
        results[symmetric] = got
    return results


def two_rank_worker(rank: int, world: int, init_file: str, cache: str, out: str) -> None:
    """One 2-process gloo session for every distributed check (spawning costs seconds)."""
    import torch.distributed as dist
    _init(rank, world, init_file)
    torch.save(dict(download=_download_check(rank, cache), gather=_gather_check(rank, world)),
               f'{out}.{rank}')
    dist.destroy_process_group()
