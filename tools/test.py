"""Test (evaluate) an OUS checkpoint with the mmengine Runner."""
import argparse
import os.path as osp
import sys

from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # tools/ (the shared CLI helper)
from _cli import add_runner_args, apply_runner_args, parse_runner_args  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test an OUS recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--dump', type=str,
                        help='dump predictions to a pickle file (.pkl) for offline analysis')
    return parse_runner_args(add_runner_args(parser), argv)


def merge_args(cfg: Config, args) -> Config:
    apply_runner_args(cfg, args)
    if args.dump is not None:
        assert args.dump.endswith(('.pkl', '.pickle')), 'the dump file must be a .pkl file'
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = [*evaluator, dump_metric]
        else:
            cfg.test_evaluator = [evaluator, dump_metric]
    cfg.load_from = args.checkpoint
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main():
    args = parse_args()
    import ous_mm  # noqa: F401  (upstream fixes + registration before the config builds)
    cfg = merge_args(Config.fromfile(args.config), args)
    if '://' not in args.checkpoint:  # a damaged file: say so before building anything
        from ous_mm.utils.checkpoint import checkpoint_problem
        problem = checkpoint_problem(args.checkpoint)
        if problem is not None:
            print(f'error: checkpoint {args.checkpoint}: {problem}', file=sys.stderr)
            sys.exit(2)
    from ous_mm.apis import build_runner
    runner = build_runner(cfg, restore_encoders=True)
    runner.test()


if __name__ == '__main__':
    main()
