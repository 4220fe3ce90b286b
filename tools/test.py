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
    parser.add_argument('--show-dir',
                        help='save a picture of every --interval-th clip here: face and '
                        'scene frames with the label, the prediction and its scores')
    parser.add_argument('--show', action='store_true',
                        help='display those pictures in a window (needs a display)')
    parser.add_argument('--interval', type=int, default=1,
                        help='draw every N-th test clip (with --show-dir / --show)')
    parser.add_argument('--wait-time', type=float, default=2,
                        help='seconds each --show window stays up')
    return parse_runner_args(add_runner_args(parser), argv)


def merge_visualization(cfg: Config, args) -> Config:
    """``--show-dir/--show/--interval/--wait-time`` -> ``default_hooks.visualization``.

    As in MMAction2's test.py, except that a config without a visualization hook
    gets :class:`FaceSceneVisualizationHook` (the OUS two-stream drawing) instead
    of an assertion error.
    """
    if not (args.show or args.show_dir is not None):
        return cfg
    if args.interval < 1:
        raise SystemExit(f'--interval must be >= 1, got {args.interval}')
    hooks = cfg.get('default_hooks') or {}
    if hooks.get('visualization') is None:
        hooks['visualization'] = dict(type='FaceSceneVisualizationHook')
    hooks['visualization'].update(enable=True, show=args.show, out_dir=args.show_dir,
                                  interval=args.interval, wait_time=args.wait_time)
    cfg.default_hooks = hooks
    return cfg


def merge_args(cfg: Config, args) -> Config:
    cfg = merge_visualization(cfg, args)
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
    from ous_mm.datasets.missing_data import missing_data_message
    from ous_mm.utils import apply_config_switches
    message = missing_data_message(apply_config_switches(cfg), ('test', ))
    if message is not None:  # before the model is built (minutes for a ViT-L/14)
        print(message, file=sys.stderr)
        sys.exit(2)
    from ous_mm.apis import build_runner
    runner = build_runner(cfg, restore_encoders=True)
    from ous_mm.utils.class_identity import ClassIdentityError
    try:
        runner.test()
    except ClassIdentityError as err:  # found before the first iteration: a user error
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
