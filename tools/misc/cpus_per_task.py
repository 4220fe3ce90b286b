"""Print the CPUs one slurm task needs for a config: its loader's workers + the main process.

``tools/slurm_train.sh`` / ``slurm_test.sh`` call this for ``--cpus-per-task``
(set ``CPUS_PER_TASK`` to override), so a config that starts 8 dataloader
workers is not squeezed onto 5 CPUs. Validation workers are not added: they
start after (or, with ``persistent_workers``, sleep during) the training epoch.

Example::

    python tools/misc/cpus_per_task.py configs/ous/ous_vitl14_dfew.py   # -> 9
"""
import argparse
import sys


def cpus_per_task(config: str, loader: str = 'train_dataloader') -> int:
    """``<loader>.num_workers + 1`` of ``config`` (1 when the loader has no workers)."""
    from mmengine.config import Config

    cfg = Config.fromfile(config, import_custom_modules=False)
    loader_cfg = cfg.get(loader) or {}
    return int(loader_cfg.get('num_workers', 0) or 0) + 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--loader', default='train_dataloader',
                        choices=['train_dataloader', 'val_dataloader', 'test_dataloader'])
    args = parser.parse_args(argv)
    try:
        cpus = cpus_per_task(args.config, args.loader)
    except Exception as err:  # a broken config: say so, slurm must not start
        sys.exit(f'cpus_per_task: cannot read {args.config}: {err}')
    print(cpus)
    return cpus


if __name__ == '__main__':
    main()
