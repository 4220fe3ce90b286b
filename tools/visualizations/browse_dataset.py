"""See what the pipeline feeds the model: scene frame with the face box, face crop, scene stream.

MMAction2's ``browse_dataset.py`` for the two-stream data. For each of the first
``--show-number`` clips of a split (or every ``--interval``-th), one PNG: the
sampled scene frames as decoded with the tracked face box (green), the face
stream and the scene stream as the model gets them, and the label. A clip where
no face was found is marked in red-orange: border, the centre square that stood
in for the face (dashed) and ``NO FACE: centre crop`` in the text.

Example::

    python tools/visualizations/browse_dataset.py configs/ous/ous_tiny_synthetic.py browse/ \
        --phase val --show-number 8
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

SPLIT_STEP = 'FaceSceneSplit'


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument('output_dir', help='folder for one PNG per clip')
    parser.add_argument('--phase', choices=['train', 'val', 'test'], default='train',
                        help='which dataloader\'s dataset and pipeline')
    parser.add_argument('--show-number', type=int, default=5, help='clips to draw')
    parser.add_argument('--interval', type=int, default=1, help='draw every N-th clip')
    parser.add_argument('--max-frames', type=int, default=8, help='frames per row')
    parser.add_argument('--cell', type=int, default=128, help='row height in pixels')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='override config entries (key=value), e.g. the data root')
    return parser.parse_args(argv)


def run_until_split(dataset, index: int):
    """``(frames as decoded, results after FaceSceneSplit)`` of clip ``index``.

    The dataset's own transforms, run one by one so the decoded frames and the
    face boxes in their pixels are kept; steps after the split (flip, packing)
    are left out, as they only re-arrange what is drawn.
    """
    transforms = list(dataset.pipeline.transforms)
    names = [type(t).__name__ for t in transforms]
    if SPLIT_STEP not in names:
        raise SystemExit(f'the pipeline has no {SPLIT_STEP} ({names}): a cached-feature '
                         'config has no frames to show; use the config trained on frames')
    results = dataset.get_data_info(index)
    decoded = None
    for name, transform in zip(names, transforms):
        if name == SPLIT_STEP:
            decoded = [np.asarray(f).copy() for f in results['imgs']]
        results = transform(results)
        if name == SPLIT_STEP:
            return decoded, results
    raise AssertionError('unreachable')


def draw_clip(decoded, results, max_frames: int, cell: int) -> np.ndarray:
    """The PNG of one clip (RGB)."""
    from ous_mm.visualization import (BOX_COLOR, FALLBACK_COLOR, centre_crop_box, clip_panel,
                                      draw_box, mark_fallback)

    num = len(decoded)
    picked = np.unique(np.round(np.linspace(0, num - 1, min(max_frames, num))).astype(int))
    boxes = results.get('face_boxes')
    fallback = bool(results.get('face_fallback'))
    marked = []
    for t in picked:
        frame = np.ascontiguousarray(decoded[t]).copy()
        if fallback:
            mark_fallback(frame, centre_crop_box(*frame.shape[:2]))
        elif boxes is not None:
            draw_box(frame, boxes[t], BOX_COLOR)
        marked.append(frame)
    label = results.get('label_name') or results.get('label')
    if fallback:
        status = ('NO FACE: centre crop', FALLBACK_COLOR)
    elif boxes is None:
        status = ('face frames provided by the dataset', (255, 255, 255))
    else:
        status = ('face tracked (green box)', BOX_COLOR)
    rows = [('scene frame + face box', marked),
            ('face stream', [results['face_imgs'][t] for t in picked]),
            ('scene stream', [results['imgs'][t] for t in picked])]
    lines = [(f'{results.get("clip_id", "")}  label {label}', (255, 255, 255)), status]
    return clip_panel(rows, lines, cell=cell)


def main(argv=None):
    args = parse_args(argv)
    import cv2

    from ous_mm.apis.config import load_config
    from mmaction.registry import DATASETS

    cfg = load_config(args.config, args.cfg_options)
    loader = cfg.get(f'{args.phase}_dataloader')
    if not loader:
        raise SystemExit(f'{args.config} has no {args.phase}_dataloader')
    dataset = DATASETS.build(loader['dataset'])
    os.makedirs(args.output_dir, exist_ok=True)
    written = []
    for index in range(0, len(dataset), max(1, args.interval))[:args.show_number]:
        decoded, results = run_until_split(dataset, index)
        panel = draw_clip(decoded, results, args.max_frames, args.cell)
        name = str(results.get('clip_id', index)).replace('/', '_')
        path = osp.join(args.output_dir, f'{index:05d}_{name}.png')
        cv2.imwrite(path, panel[..., ::-1])
        written.append(dict(path=path, clip_id=results.get('clip_id'),
                            face_fallback=bool(results.get('face_fallback'))))
    fallback = sum(w['face_fallback'] for w in written)
    print(f'{len(written)} clips of the {args.phase} split ({fallback} without a face) '
          f'drawn into {args.output_dir}')
    return written


if __name__ == '__main__':
    main()
