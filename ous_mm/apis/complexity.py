"""FLOPs and parameters of an OUS model per clip, per stream and per part (``get_flops.py``)."""
import contextlib
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn


@contextlib.contextmanager
def _no_mha_fastpath():
    """Route ``nn.MultiheadAttention`` through its decomposed path while counting.

    Its inference fast path is one native kernel that torch's FLOP counter does
    not see; CLIP's blocks would count as almost free.
    """
    backend = getattr(torch.backends, 'mha', None)
    if backend is None:
        yield
        return
    before = backend.get_fastpath_enabled()
    backend.set_fastpath_enabled(False)
    try:
        yield
    finally:
        backend.set_fastpath_enabled(before)


def _cpu_sdpa_flops(query, key, value, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of scaled-dot-product attention on the CPU kernel, which torch's counter
    lacks (it knows the CUDA kernels only): the same formula as those."""
    from torch.utils.flop_counter import sdpa_flop_count

    return sdpa_flop_count(query, key, value)


def _rnn_weights_flops(input, weights) -> int:
    """Every step multiplies its input and hidden state by the gate weights (2 FLOPs/MAC)."""
    steps = input[0] * input[1]  # batch * time, either layout
    return 2 * steps * sum(shape[0] * shape[1] for shape in weights if len(shape) == 2)


def _mkldnn_rnn_layer_flops(input, w_ih, w_hh, *args, out_shape=None, **kwargs) -> int:
    """One LSTM layer on the CPU (what ``nn.LSTM`` dispatches to there)."""
    return _rnn_weights_flops(input, [w_ih, w_hh])


def _cudnn_rnn_flops(input, weights, *args, out_shape=None, **kwargs) -> int:
    """A whole cuDNN RNN (what ``nn.LSTM`` dispatches to on a GPU)."""
    return _rnn_weights_flops(input, weights)


def _extra_formulas() -> Dict:
    """Counter formulas for ops torch's table misses (passed per counter, not patched in):
    attention on the CPU and the LSTM kernels, which the counter would book as free."""
    formulas = {}
    sdpa = getattr(torch.ops.aten, '_scaled_dot_product_flash_attention_for_cpu', None)
    if sdpa is not None:
        formulas[sdpa] = _cpu_sdpa_flops
    for name, formula in (('mkldnn_rnn_layer', _mkldnn_rnn_layer_flops),
                          ('_cudnn_rnn', _cudnn_rnn_flops)):
        op = getattr(torch.ops.aten, name, None)
        if op is not None:
            formulas[op] = formula
    return formulas


def param_counts(module: nn.Module) -> Tuple[int, int]:
    """``(trainable, frozen)`` parameter counts (``requires_grad`` or not)."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
    return trainable, frozen


def _row(name: str, flops: int, module: nn.Module,
         minus: Optional[nn.Module] = None) -> Dict:
    """One report row; ``minus``: a sub-module reported in its own row."""
    trainable, frozen = param_counts(module)
    if minus is not None:
        trainable, frozen = (a - b for a, b in zip((trainable, frozen), param_counts(minus)))
    return dict(name=name, flops=int(flops), trainable_params=trainable, frozen_params=frozen,
                frozen=trainable == 0 and frozen > 0)


def _rows(model: nn.Module, counts: Dict[str, int], root: str) -> List[Dict]:
    """Backbone, each neck part, the head's frozen text encoder, the rest of the head.

    The text encoder's blocks run inside the prompt learner, so the counter books
    their FLOPs under both; the head row is split so no FLOP is counted twice.
    """
    def flops(name):
        return counts.get(f'{root}.{name}', 0) // 2

    rows = [_row('backbone', flops('backbone'), model.backbone)]
    for name, child in model.neck.named_children():
        rows.append(_row(f'neck.{name}', flops(f'neck.{name}'), child))
    head = model.cls_head
    text = getattr(head, 'text_encoder', None)
    if text is not None:
        # the prompt learner calls the tower's blocks, not its forward: sum its children
        text_flops = sum(flops(f'cls_head.text_encoder.{name}')
                         for name, _ in text.named_children())
        rows.append(_row('cls_head.text_encoder', text_flops, text))
        rows.append(_row('cls_head (prompts, logits)', flops('cls_head') - text_flops, head,
                         minus=text))
    else:
        rows.append(_row('cls_head', flops('cls_head'), head))
    return rows


def model_complexity(model: nn.Module, clip_len: int, img_size: int) -> Dict:
    """Count one forward pass of ONE clip (batch 1) in ``tensor`` mode.

    FLOPs follow the OpenMMLab/fvcore convention of MMAction2's ``get_flops.py``:
    one multiply-add is one FLOP (torch's counter counts two; halved here).

    Returns:
        dict: ``input_shape``; ``total_flops`` (per clip); ``streams`` {face, scene}
        -> backbone FLOPs of that stream's ``clip_len`` frames; ``per_frame_flops``
        (backbone, one frame); ``parts``: [{name, flops, trainable_params,
        frozen_params, frozen}] (``frozen``: parameters, none trainable);
        ``trainable_flops`` / ``frozen_flops`` (FLOPs of parts with / without
        trainable parameters; a frozen backbone is what cached-feature training,
        ``tools/extract_features.py``, runs once instead of every epoch) and the
        parameter totals. The head's text encoder runs once per forward pass
        whatever the batch size (at test time once in all), so for batch B its
        share per clip is 1/B.
    """
    from torch.utils.flop_counter import FlopCounterMode

    streams = 2 if getattr(model, 'use_scene', True) else 1
    shape = (1, 2, clip_len, 3, img_size, img_size)
    device = next(model.parameters()).device
    inputs = torch.zeros(shape, device=device)
    model.eval()
    # grad mode on: the counter's module tracking hooks autograd (a frozen
    # backbone still runs without a graph, as in training)
    counter = FlopCounterMode(display=False, custom_mapping=_extra_formulas())
    with _no_mha_fastpath(), counter:
        model(inputs, mode='tensor')
    counts = {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}
    total = counter.get_total_flops() // 2
    parts = _rows(model, counts, type(model).__name__)
    counted = sum(p['flops'] for p in parts)
    if total != counted:  # work done in the recognizer itself (pooling, reshapes)
        parts.append(dict(name='other', flops=total - counted, trainable_params=0,
                          frozen_params=0, frozen=False))
    backbone = parts[0]['flops']
    per_stream = backbone // streams
    trainable_params, frozen_params = param_counts(model)
    return dict(
        input_shape=list(shape), clip_len=clip_len, img_size=img_size, num_streams=streams,
        total_flops=total,
        streams=dict(face=per_stream, **({'scene': per_stream} if streams == 2 else {})),
        per_frame_flops=per_stream // clip_len,
        parts=parts,
        trainable_flops=sum(p['flops'] for p in parts if not p['frozen']),
        frozen_flops=sum(p['flops'] for p in parts if p['frozen']),
        trainable_params=trainable_params, frozen_params=frozen_params)


def input_size_of(cfg, model: Optional[nn.Module] = None) -> int:
    """Frame side the model sees: the pipeline's ``FaceSceneSplit.out_size``, else the
    backbone's image size."""
    from .inference import _test_pipeline_cfg

    for step in _test_pipeline_cfg(cfg):
        if step.get('type') == 'FaceSceneSplit' and step.get('out_size'):
            return int(step['out_size'])
    size = getattr(getattr(getattr(model, 'backbone', None), 'visual', None), 'image_size', None)
    if size is None:
        raise ValueError('cannot tell the frame size: no FaceSceneSplit.out_size in the test '
                         'pipeline and no backbone.visual.image_size; pass --shape')
    return int(size[0] if isinstance(size, (tuple, list)) else size)
