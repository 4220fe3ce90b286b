"""FLOPs and parameters of an OUS config: per clip, per stream, per part, frozen vs trainable.

MMAction2's ``get_flops.py`` for the two-stream model. One clip (batch 1) of the
config's ``clip_len`` frames at its input size goes through the model in
``tensor`` mode under torch's FLOP counter (one multiply-add = one FLOP, as in
OpenMMLab's tables). No weights are loaded: FLOPs do not depend on them.

Examples::

    python tools/analysis_tools/get_flops.py configs/ous/ous_vitl14_dfew.py
    python tools/analysis_tools/get_flops.py configs/ous/ous_vitl14_dfew.py \
        --cfg-options model.use_scene=False
    python tools/analysis_tools/get_flops.py CONFIG --clip-len 8 --shape 224 --out-json flops.json
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--clip-len', type=int, default=None,
                        help='frames per clip (default: the test pipeline\'s clip_len)')
    parser.add_argument('--shape', type=int, default=None,
                        help='frame side in pixels (default: FaceSceneSplit.out_size)')
    parser.add_argument('--out-json', default=None, help='also write the report as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='override config entries (key=value)')
    return parser.parse_args(argv)


def _g(flops: int) -> str:
    return f'{flops / 1e9:10.3f}'


def _m(params: int) -> str:
    return f'{params / 1e6:9.3f}'


def format_report(report: dict) -> str:
    """The report as a text table (GFLOPs per clip, parameters in millions)."""
    lines = [f'input {tuple(report["input_shape"])} (batch, stream, T, C, H, W); '
             f'{report["num_streams"]} stream(s) through the backbone',
             f'{"part":<30s} {"GFLOPs":>10s} {"train M":>9s} {"frozen M":>9s}',
             '-' * 61]
    for part in report['parts']:
        lines.append(f'{part["name"]:<30s} {_g(part["flops"])} {_m(part["trainable_params"])} '
                     f'{_m(part["frozen_params"])}' + ('  frozen' if part['frozen'] else ''))
    lines += ['-' * 61,
              f'{"total per clip":<30s} {_g(report["total_flops"])} '
              f'{_m(report["trainable_params"])} {_m(report["frozen_params"])}',
              ''] + [
        f'{"backbone, " + name + " stream":<30s} {_g(flops)}  ({report["clip_len"]} frames)'
        for name, flops in report['streams'].items()] + [
        f'{"backbone, one frame":<30s} {_g(report["per_frame_flops"])}',
        f'{"in frozen parts":<30s} {_g(report["frozen_flops"])}',
        f'{"in trainable parts":<30s} {_g(report["trainable_flops"])}']
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.apis import clip_len_of
    from ous_mm.apis.complexity import input_size_of, model_complexity
    from ous_mm.apis.config import load_config
    from mmaction.registry import MODELS

    cfg = load_config(args.config, args.cfg_options)
    model = MODELS.build(cfg.model)  # no init_weights: FLOPs need no pretrained file
    clip_len = args.clip_len or clip_len_of(cfg)
    size = args.shape or input_size_of(cfg, model)
    report = model_complexity(model, clip_len, size)
    report['config'] = args.config
    print(format_report(report))
    if args.out_json:
        os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
        with open(args.out_json, 'w', encoding='utf-8') as f:
            json.dump(report, f, indent=2)
        print(f'saved {args.out_json}')
    return report


if __name__ == '__main__':
    main()
