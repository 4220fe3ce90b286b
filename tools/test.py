"""Test (evaluate) an OUS checkpoint with the mmengine Runner."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description='Test an OUS recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save evaluation results')
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
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=4')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


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
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
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
    runner = Runner.from_cfg(cfg)
    runner.test()


if __name__ == '__main__':
    main()
