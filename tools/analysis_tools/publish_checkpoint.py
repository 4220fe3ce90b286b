"""Publish a training checkpoint for the model zoo: weights only, hash in the name.

    python tools/analysis_tools/publish_checkpoint.py work_dirs/x/best_dfer_loss_epoch_12.pth \
        --out-dir release --name ous_vitl14_dfew_fold1

Drops optimizer/scheduler/message-hub state, saves ``<name>-<sha256[:8]>.pth``
(loadable with ``torch.load(..., weights_only=True)``) and prints the full sha256
for ``Metadata.SHA256`` in ``configs/**/metafile.yml``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='training checkpoint (.pth)')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--name', default=None, help='file stem (default: the input stem)')
    args = parser.parse_args(argv)
    import ous_mm  # noqa: F401  (compat: loads mmengine training checkpoints safely)
    from ous_mm.utils import publish_checkpoint

    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint not found: {args.checkpoint}')
    out = publish_checkpoint(args.checkpoint, args.out_dir, name=args.name)
    print(f'{out["path"]}\nsha256 {out["sha256"]}')
    return out


if __name__ == '__main__':
    main()
