"""Pretrain the small CLIP of the OUS configs here, on CPU, in a few minutes (cached).

No pretrained CLIP weights can be fetched offline, so for the paper's frozen-
encoder regime this tool draws an image-text corpus (drawn faces in drawn
scenes, captions describing expression, face parts and scene), trains an
open_clip ``CLIP`` of the configs' arch image-text contrastively, and prints the
path of the open_clip-format checkpoint, its sha256 and its card (zero-shot
accuracy on held-out corpus items). A second call with the same arguments
returns the cached checkpoint at once (``$OUS_CLIP_CACHE``, default
``~/.cache/ous-mm/clip``). Library: :func:`ous_mm.pretrain.ensure_pretrained_clip`.

    python tools/pretrain_clip.py
    python tools/pretrain_clip.py --corpus restricted   # the tower of the ood_* variants
    python tools/train.py configs/ous/ous_tiny_synthetic.py --cfg-options \\
        model.backbone.pretrained=PATH model.cls_head.pretrained=PATH
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DEFAULT_ARCH_CONFIG = 'configs/_base_/models/ous_tiny.py'


def parse_args(argv=None):
    from ous_mm.datasets.synthetic.corpus_content import CORPUS_CONTENTS
    from ous_mm.pretrain import CorpusConfig, TrainConfig
    corpus, train = CorpusConfig(), TrainConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch-config', default=DEFAULT_ARCH_CONFIG,
                        help='config file holding the arch dict (the OUS configs\' tower)')
    parser.add_argument('--arch-key', default='tiny_clip',
                        help='name of the arch dict in --arch-config')
    parser.add_argument('--steps', type=int, default=train.steps)
    parser.add_argument('--batch-size', type=int, default=train.batch_size)
    parser.add_argument('--lr', type=float, default=train.lr)
    parser.add_argument('--warmup-steps', type=int, default=train.warmup_steps)
    parser.add_argument('--seed', type=int, default=train.seed, help='training seed')
    parser.add_argument('--num-items', type=int, default=corpus.num_items,
                        help='training corpus items')
    parser.add_argument('--heldout-items', type=int, default=corpus.heldout_items,
                        help='held-out items for the zero-shot / linear-probe figures')
    parser.add_argument('--corpus-seed', type=int, default=corpus.seed)
    parser.add_argument('--face-share', type=float, default=corpus.face_share,
                        help='share of face-crop items (the rest are whole frames)')
    parser.add_argument('--corpus', choices=sorted(CORPUS_CONTENTS), default=corpus.content,
                        help="what the corpus draws: 'full' (every face style) or 'restricted' "
                        '(no shaded faces: the tower of the domain-shifted ood_* variants, '
                        'cached under its own key)')
    parser.add_argument('--cache-dir', default=None,
                        help='cache root (default $OUS_CLIP_CACHE or ~/.cache/ous-mm/clip)')
    parser.add_argument('--force', action='store_true', help='retrain even if cached')
    parser.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1),
                        help='processes rendering the corpus (same corpus for any value)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (1 is fastest on a busy 2-core machine)')
    parser.add_argument('--print-every', type=int, default=50, help='log every N steps')
    parser.add_argument('--eval-synthetic', type=int, default=0, metavar='N',
                        help='also report zero-shot figures on N clips of the synthetic '
                        'scene-DFER set (seed 0, 112 px; measurement only)')
    parser.add_argument('--json', action='store_true', help='print the card as JSON at the end')
    return parser.parse_args(argv)


def load_arch(config: str, key: str) -> dict:
    from mmengine.config import Config
    path = config if osp.isabs(config) else osp.join(ROOT, config)
    cfg = Config.fromfile(path)
    if key not in cfg:
        raise SystemExit(f'{config} has no `{key}` dict (use --arch-key)')
    return cfg[key].to_dict() if hasattr(cfg[key], 'to_dict') else dict(cfg[key])


def main(argv=None) -> str:
    args = parse_args(argv)
    import torch

    from ous_mm.pretrain import (CorpusConfig, TrainConfig, ensure_pretrained_clip,
                                 evaluate_on_synthetic_clips, load_clip, read_card)
    torch.set_num_threads(args.threads)
    arch = load_arch(args.arch_config, args.arch_key)
    corpus = CorpusConfig(num_items=args.num_items, heldout_items=args.heldout_items,
                          seed=args.corpus_seed, face_share=args.face_share, content=args.corpus,
                          image_size=int(arch['vision_cfg']['image_size']))
    train = TrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                        warmup_steps=min(args.warmup_steps, args.steps), seed=args.seed)
    start = time.time()

    def log(msg: str) -> None:
        print(f'[pretrain_clip {time.strftime("%H:%M:%S")}] {msg}', flush=True)

    def on_step(step: int, loss: float, lr: float) -> None:
        if step % args.print_every == 0 or step == train.steps - 1:
            log(f'step {step + 1}/{train.steps} loss {loss:.4f} lr {lr:.2e} '
                f'({time.time() - start:.0f} s)')

    path = ensure_pretrained_clip(arch, corpus, train, cache_root=args.cache_dir,
                                  force=args.force, workers=args.workers, log=log,
                                  on_step=on_step)
    card = read_card(osp.dirname(path))
    m = card['metrics']
    log(f'{args.arch_key} from {args.arch_config}: trained in {card["wall_seconds"]} s '
        f'(render {card["render_seconds"]} s, train {card["train_seconds"]} s), '
        f'final loss {card["final_loss"]}')
    log(f'held-out zero-shot: face expression {m["face_zero_shot"]:.1f}% '
        f'(7-way, chance {m["face_chance"]:.1f}%, {m["face_items"]} crops), scene polarity '
        f'{m["scene_zero_shot"]:.1f}% (3-way, chance {m["scene_chance"]:.1f}%); linear probe: '
        f'face {m["face_linear_probe"]:.1f}%, scene {m["scene_linear_probe"]:.1f}%')
    if 'face_zero_shot_per_class' in m:
        log('face zero-shot per class: ' + ', '.join(
            f'{k} {v:.0f}%' for k, v in m['face_zero_shot_per_class'].items()))
    if args.eval_synthetic:
        found = evaluate_on_synthetic_clips(load_clip(arch, path), num_clips=args.eval_synthetic,
                                            image_size=corpus.image_size)
        log(f'synthetic scene-DFER set, {found["clips"]} clips (seed 0): face zero-shot on '
            'clear clips at 1/3, 2/3, end of the clip: '
            f'{found["face_zero_shot_clear_third_frame"]:.1f} / '
            f'{found["face_zero_shot_clear_two_thirds_frame"]:.1f} / '
            f'{found["face_zero_shot_clear_last_frame"]:.1f}%; all clips (ambiguous faces '
            f'included), end: {found["face_zero_shot_all_last_frame"]:.1f}%; scene polarity '
            f'{found["scene_zero_shot"]:.1f}%')
    if args.json:
        print(json.dumps(card, indent=2))
    print(f'checkpoint: {path}')
    print(f'sha256: {card["sha256"]}')
    print(f'use: --cfg-options model.backbone.pretrained={path} model.cls_head.pretrained={path}')
    return path


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    main()
