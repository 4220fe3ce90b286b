"""t-SNE of the features at successive stages of OUS (like Fig. 4 of the paper).

Runs a checkpoint over a split and embeds, per clip, the feature

- ``backbone``: the CLIP vision encoder's face embedding, mean over frames (Fig. 4a);
- ``frames_encoder``: after the Frames Encoder (``neck.frames_encoder``), mean over time (4b);
- ``aligned``: the aligned face feature after the similarity-loss alignment (4c);
- ``fusion``: the fused video feature the prompt head classifies (after the TFE, 4d);

into 2-D with scikit-learn's t-SNE, one panel per stage, coloured by class.
The stage features come from ONE backbone pass per batch (``extract_feat(...,
stage='backbone')``), the neck run on its output (:class:`NeckOutputs`) and a
forward hook on the Frames Encoder. Progress (clips, rate, ETA) goes to stderr.

Example::

    python tools/analysis_tools/feature_map.py CONFIG CHECKPOINT --out tsne.png --split test
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, List

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

STAGES = ('backbone', 'frames_encoder', 'aligned', 'fusion')


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint (omit only for a smoke test: random weights)')
    parser.add_argument('--out', required=True, help='PNG path')
    parser.add_argument('--split', choices=['train', 'val', 'test'], default='test')
    parser.add_argument('--max-clips', type=int, default=1000,
                        help='stop after this many clips (t-SNE is O(n^2))')
    parser.add_argument('--perplexity', type=float, default=30.0)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--save-features', default=None,
                        help='also save the raw features and labels (.npz)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='override config entries (key=value), e.g. the data root')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    return parser.parse_args(argv)


def collect_features(model, dataloader, max_clips: int,
                     progress: bool = True) -> Dict[str, np.ndarray]:
    """Per-clip stage features and labels for up to ``max_clips`` clips.

    The backbone runs once per batch; the neck takes its output (the same
    ``embed``/``early`` that ``extract_feat(stage='neck')`` would compute again).
    """
    import torch
    from tqdm import tqdm

    captured: Dict[str, torch.Tensor] = {}
    frames_encoder = getattr(getattr(model, 'neck', None), 'frames_encoder', None)
    handle = None
    if frames_encoder is not None:
        def keep(_module, _inputs, output):
            captured['frames_encoder'] = output[0] if isinstance(output, tuple) else output
        handle = frames_encoder.register_forward_hook(keep)
    feats: Dict[str, List[np.ndarray]] = {s: [] for s in STAGES}
    labels: List[int] = []
    total = min(max_clips, len(dataloader.dataset))
    bar = tqdm(total=total, desc='features', unit='clip', disable=not progress,
               dynamic_ncols=True)
    try:
        with torch.no_grad():
            for data in dataloader:
                data = model.data_preprocessor(data, False)
                inputs, samples = data['inputs'], data['data_samples']
                (embed, early), _ = model.extract_feat(inputs, stage='backbone')
                outputs = model.neck(embed, early)
                feats['backbone'].append(embed[:, 0].mean(1).cpu().numpy())
                if 'frames_encoder' in captured:
                    enc = captured.pop('frames_encoder')
                    enc = enc.mean(1) if enc.dim() == 3 else enc
                    feats['frames_encoder'].append(enc.cpu().numpy())
                feats['aligned'].append(outputs.face.cpu().numpy())
                feats['fusion'].append(outputs.video.cpu().numpy())
                labels.extend(int(s.gt_label.reshape(-1)[0]) for s in samples)
                bar.update(min(len(samples), total - bar.n))
                if len(labels) >= max_clips:
                    break
    finally:
        bar.close()
        if handle is not None:
            handle.remove()
    out = {s: np.concatenate(v)[:max_clips] for s, v in feats.items() if v}
    out['labels'] = np.array(labels[:max_clips])
    return out


def tsne_2d(x: np.ndarray, perplexity: float, seed: int) -> np.ndarray:
    """2-D t-SNE; perplexity capped below the number of points (sklearn requires it)."""
    from sklearn.manifold import TSNE

    x = x.reshape(len(x), -1).astype(np.float64)
    perplexity = min(perplexity, max(1.0, (len(x) - 1) / 3))
    return TSNE(n_components=2, perplexity=perplexity, init='pca', random_state=seed,
                learning_rate='auto').fit_transform(x)


def plot_panels(points: Dict[str, np.ndarray], labels: np.ndarray, class_names, out: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    titles = dict(backbone='(a) vision encoder', frames_encoder='(b) frames encoder',
                  aligned='(c) aligned (multi-loss)', fusion='(d) type fusion encoder')
    stages = [s for s in STAGES if s in points]
    fig = Figure(figsize=(4.2 * len(stages), 4.4))
    FigureCanvasAgg(fig)
    colors = [f'C{i % 10}' for i in range(len(class_names))]
    for k, stage in enumerate(stages):
        ax = fig.add_subplot(1, len(stages), k + 1)
        for c, name in enumerate(class_names):
            sel = labels == c
            if sel.any():
                ax.scatter(points[stage][sel, 0], points[stage][sel, 1], s=8, c=colors[c],
                           label=f'{c} {name}')
        ax.set_title(titles[stage])
        ax.set_xticks([])
        ax.set_yticks([])
    fig.axes[-1].legend(fontsize=7, loc='best', markerscale=1.5)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    return out


def main(argv=None):
    args = parse_args(argv)
    from mmengine.runner import Runner

    from ous_mm.apis import class_names_of, init_ous_model
    from ous_mm.apis.config import load_config

    cfg = load_config(args.config, args.cfg_options)
    model = init_ous_model(cfg, args.checkpoint, device=args.device)
    loader_cfg = model.cfg.get(f'{args.split}_dataloader')  # config switches applied
    if loader_cfg is None:
        raise SystemExit(f'the config has no {args.split}_dataloader')
    loader_cfg = dict(loader_cfg)
    loader_cfg['sampler'] = dict(type='DefaultSampler', shuffle=False)
    dataloader = Runner.build_dataloader(loader_cfg, seed=args.seed)
    feats = collect_features(model, dataloader, args.max_clips, not args.no_progress)
    labels = feats.pop('labels')
    if len(labels) < 5:
        raise SystemExit(f'only {len(labels)} clips in the {args.split} split; t-SNE needs more')
    names = class_names_of(cfg) or [f'class_{i}' for i in range(int(labels.max()) + 1)]
    from tqdm import tqdm

    points = {stage: tsne_2d(feats[stage], args.perplexity, args.seed)
              for stage in tqdm(list(feats), desc='t-SNE', unit='stage',
                                disable=args.no_progress, dynamic_ncols=True)}
    if args.save_features:
        np.savez(args.save_features, labels=labels, **feats)
    plot_panels(points, labels, names, args.out)
    print(f'{len(labels)} clips, stages {list(points)}; saved {args.out}')
    return points


if __name__ == '__main__':
    main()
