"""Train an OUS model with the mmengine Runner (the MMAction2 ``tools/train.py`` flags)."""
import argparse
import os.path as osp
import sys

from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # tools/ (the shared CLI helper)
from _cli import add_runner_args, apply_runner_args, parse_runner_args  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an OUS recognizer')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in the '
        'work dir when no path is given')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision training (bf16 where the GPU supports it)')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr with the real batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--diff-rank-seed', action='store_true',
                        help='a different seed on each rank')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic cudnn / torch algorithms')
    return parse_runner_args(add_runner_args(parser), argv)


def merge_args(cfg: Config, args) -> Config:
    """Apply command-line flags to the config, as MMAction2's train.py does."""
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    apply_runner_args(cfg, args)
    if args.amp:
        from ous_mm.utils.precision import amp_optim_wrapper
        cfg.optim_wrapper = amp_optim_wrapper(cfg.optim_wrapper)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get('randomness', None) is None:
        cfg.randomness = dict(seed=args.seed, diff_rank_seed=args.diff_rank_seed,
                              deterministic=args.deterministic)
    else:
        if args.seed is not None:
            cfg.randomness.seed = args.seed
        if args.deterministic:
            cfg.randomness.deterministic = True
        if args.diff_rank_seed:
            cfg.randomness.diff_rank_seed = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def resume_from_loadable(cfg: Config, args) -> Config:
    """Point ``--resume`` (auto or PATH) at the newest checkpoint that loads; each broken
    one on the way (a run killed while writing it, a truncated copy) gets a warning."""
    if args.resume is None:
        return cfg
    from ous_mm.utils.checkpoint import find_resume_checkpoint
    requested = None if args.resume == 'auto' else args.resume
    choice = find_resume_checkpoint(cfg.work_dir, requested)
    for note in choice.notes:
        print(f'NOTE: {note}', file=sys.stderr)
    for path, problem in choice.skipped:
        print(f'WARNING: cannot resume from {path}: {problem}; trying an older checkpoint',
              file=sys.stderr)
    if choice.path is not None:
        cfg.load_from = choice.path
    elif requested is not None:
        raise SystemExit(f'error: --resume {requested}: no loadable checkpoint there '
                         'or in its folder')
    elif choice.skipped:
        print(f'WARNING: no loadable checkpoint in {cfg.work_dir}: training from scratch',
              file=sys.stderr)
    return cfg


def main():
    args = parse_args()
    import ous_mm  # noqa: F401  (upstream fixes + registration before the config builds)
    cfg = resume_from_loadable(merge_args(Config.fromfile(args.config), args), args)
    from ous_mm.datasets.missing_data import missing_data_message
    from ous_mm.utils import apply_config_switches
    message = missing_data_message(apply_config_switches(cfg), ('train', 'val'))
    if message is not None:  # before the model is built (minutes for a ViT-L/14)
        print(message, file=sys.stderr)
        sys.exit(2)
    from ous_mm.apis import build_runner
    runner = build_runner(cfg)
    from ous_mm.utils.class_identity import ClassIdentityError
    try:
        runner.train()
    except ClassIdentityError as err:  # found before the first iteration: a user error
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
