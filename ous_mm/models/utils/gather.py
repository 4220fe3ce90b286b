"""All-gather with gradient, for losses whose negatives span the global batch."""
from typing import Tuple

import torch
import torch.distributed as dist


def dist_ready() -> bool:
    """A process group with more than one rank is initialised."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


class _GatherRows(torch.autograd.Function):
    """Concatenate every rank's rows; backward sums the gradients of all ranks for the
    local rows (what a 1-process loss over the global batch would give them)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, sizes: Tuple[int, ...], rank: int) -> torch.Tensor:
        width = max(sizes)
        padded = x.new_zeros((width, ) + tuple(x.shape[1:]))
        padded[:x.shape[0]] = x
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded.contiguous())
        ctx.sizes, ctx.rank = sizes, rank
        return torch.cat([p[:n] for p, n in zip(parts, sizes)])

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)  # all_reduce works on every backend (gloo has no reduce_scatter)
        start = sum(ctx.sizes[:ctx.rank])
        return grad[start:start + ctx.sizes[ctx.rank]], None, None


def gather_rows_with_grad(x: torch.Tensor) -> Tuple[torch.Tensor, int]:
    """``(all ranks' rows concatenated in rank order, offset of this rank's rows)``.

    Ranks may hold different numbers of rows (a last, smaller batch). Gradients
    reach the local rows from the losses of every rank, so with DDP's gradient
    averaging a loss that averages over its local rows gets exactly the gradient
    of the same loss over the global batch on one process. Without a process
    group (or with one rank) ``x`` is returned as it is.
    """
    if not dist_ready():
        return x, 0
    rank, world = dist.get_rank(), dist.get_world_size()
    count = torch.tensor([x.shape[0]], device=x.device)
    counts = [torch.zeros_like(count) for _ in range(world)]
    dist.all_gather(counts, count)
    sizes = tuple(int(c.item()) for c in counts)
    return _GatherRows.apply(x, sizes, rank), sum(sizes[:rank])
