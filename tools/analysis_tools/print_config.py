"""Print the whole config after inheritance and ``--cfg-options`` (MMAction2's print_config).

Examples::

    python tools/analysis_tools/print_config.py configs/ous/ous_vitl14_dfew.py
    python tools/analysis_tools/print_config.py configs/ous/ous_vitl14_dfew.py \
        --cfg-options model.neck.fusion=avgpool --save-path merged.py
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='override config entries (key=value), as in tools/train.py')
    parser.add_argument('--save-path', default=None,
                        help='also write the merged config here (.py, .json or .yaml)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.apis.config import load_config

    try:
        cfg = load_config(args.config, args.cfg_options, set_scope=False)
    except FileNotFoundError as err:
        raise SystemExit(str(err)) from None
    print(f'Config:\n{cfg.pretty_text}')
    if args.save_path:
        os.makedirs(osp.dirname(osp.abspath(args.save_path)), exist_ok=True)
        cfg.dump(args.save_path)
        print(f'saved {args.save_path}')
    return cfg


if __name__ == '__main__':
    main()
