"""Recognise emotions over time in your own video with an OUS checkpoint.

Examples::

    python demo/demo_video.py my_clip.mp4 CONFIG CHECKPOINT --out-json emotions.json
    python demo/demo_video.py my_clip.mp4 CONFIG CHECKPOINT --out-video annotated.mp4 \
        --out-timeline timeline.png --window 48 --stride 24
    # faces: MTCNN when facenet-pytorch is installed, else OpenCV's Haar cascade
    # (--detector to choose); any mmdet face detector instead:
    python demo/demo_video.py my_clip.mp4 CONFIG CHECKPOINT --out-json e.json \
        --det-config retinaface_r50.py --det-checkpoint retinaface_r50.pth
    # every person: one track per face, each classified with the shared scene
    python demo/demo_video.py my_clip.mp4 CONFIG CHECKPOINT --all-faces \
        --out-json people.json --out-video people.mp4 --out-timeline people.png
    # config entries as in tools/test.py:
    python demo/demo_video.py my_clip.mp4 CONFIG CHECKPOINT \
        --cfg-options model.backbone.autocast_dtype=bf16

The video comes FIRST (MMAction2's ``demo/demo.py`` takes CONFIG CHECKPOINT VIDEO;
that order is answered with a usage line). The JSON has one entry per sliding
window: start/end frame and seconds, the probability of every class, the top
class, and the face box of each sampled frame. ``--out-timeline`` draws the
probabilities over time as PNG (``tools/analysis_tools/plot_timeline.py`` does the same
from a saved JSON). Progress (rate, ETA) goes to stderr.

``--all-faces`` follows every face instead of the most prominent one: one track
id per person over the whole video (kept when they leave and come back), each
classified in every window they are in; the JSON has ``tracks`` (per person:
their windows as above, their mean emotion) instead of ``windows``, the video
boxes and labels each person in their colour, the timeline has one row per
person. Tracks seen in fewer than ``--min-track-len`` sampled frames are
dropped and counted (``dropped_tracks``).
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

CONFIG_EXT = ('.py',)
CHECKPOINT_EXT = ('.pth', '.pt', '.ckpt')


def _check_order(parser: argparse.ArgumentParser, args) -> None:
    """A usage error (not a bare OSError later) for MMAction2's CONFIG CHECKPOINT VIDEO order."""
    given = [a for a in (args.video, args.config, args.checkpoint) if a is not None]
    if args.video.endswith(CONFIG_EXT) or args.config.endswith(CHECKPOINT_EXT):
        config = next((a for a in given if a.endswith(CONFIG_EXT)), 'CONFIG')
        ckpt = next((a for a in given if a.endswith(CHECKPOINT_EXT)), None)
        video = next((a for a in given if not a.endswith(CONFIG_EXT + CHECKPOINT_EXT)),
                     'VIDEO')
        parser.error('the video comes first: demo_video.py VIDEO CONFIG [CHECKPOINT] '
                     '(MMAction2\'s demo.py order CONFIG CHECKPOINT VIDEO does not apply); '
                     f'try: python demo/demo_video.py {video} {config}'
                     + (f' {ckpt}' if ckpt else ''))


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(
        description='OUS emotion recognition on a video',
        usage='%(prog)s VIDEO CONFIG [CHECKPOINT] [options]')
    parser.add_argument('video', help='video file or folder of frames')
    parser.add_argument('config', help='model config file (or a model-zoo name)')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint file (omit only to smoke-test an untrained model)')
    parser.add_argument('--out-json', default=None, help='write the per-window results here')
    parser.add_argument('--out-video', default=None,
                        help='write an annotated copy (face box, top emotions) as .mp4 '
                        '(or .webm for browsers)')
    parser.add_argument('--out-timeline', default=None,
                        help='write the emotion probabilities over time as .png')
    parser.add_argument('--window', type=int, default=None,
                        help='frames per window (default: about 2 s, at least clip_len)')
    parser.add_argument('--stride', type=int, default=None,
                        help='frames between window starts (default: window // 2)')
    parser.add_argument('--detector', choices=('auto', 'mtcnn', 'haar'), default='auto',
                        help='face detector: auto = MTCNN when facenet-pytorch is installed, '
                        'else the Haar cascade (ignored with --det-config)')
    parser.add_argument('--all-faces', action='store_true',
                        help='track and classify every face (one track per person) instead '
                        'of the most prominent one')
    parser.add_argument('--min-track-len', type=int, default=3,
                        help='with --all-faces: drop tracks found in fewer sampled frames')
    parser.add_argument('--top-k', type=int, default=3,
                        help='emotions listed under each frame of --out-video')
    parser.add_argument('--det-config', default=None, help='mmdet face detector config')
    parser.add_argument('--det-checkpoint', default=None, help='mmdet face detector weights')
    parser.add_argument('--det-score-thr', type=float, default=None,
                        help='score threshold of the CNN detector (default: its own)')
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda', 'cuda:0', ...")
    parser.add_argument('--batch-size', type=int, default=4, help='windows per forward pass')
    parser.add_argument('--sha256', default=None, help='expected sha256 of the checkpoint')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                        help='override config entries (key=value), as in tools/test.py')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    args = parser.parse_args(argv)
    _check_order(parser, args)
    if args.det_checkpoint and not args.det_config:
        parser.error('--det-checkpoint needs --det-config')
    if args.out_video and not args.out_video.lower().endswith(('.mp4', '.webm')):
        parser.error('--out-video must be an .mp4 or .webm path')
    if args.out_timeline and not args.out_timeline.lower().endswith('.png'):
        parser.error('--out-timeline must be a .png path')
    if args.min_track_len < 1:
        parser.error('--min-track-len must be at least 1')
    if args.cfg_options and not osp.isfile(args.config):
        parser.error(f'--cfg-options needs a config file; {args.config} is not one')
    return args


def progress_bar(desc: str, unit: str, disable: bool = False):
    """A ``progress(done, total)`` callback drawing a tqdm bar (rate, ETA) on stderr.

    The bar is created on the first call, when the total is known: created
    earlier, tqdm prints a bar without a total (``0window [00:00, ?window/s]``).
    """
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(desc=desc, unit=unit, total=total, disable=disable,
                       dynamic_ncols=True)
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
    return update


def print_tracks(result: dict) -> None:
    """One line per person, then one per window they are in."""
    dropped = result['dropped_tracks']
    print(f'{len(result["tracks"])} people tracked; {dropped} short track(s) dropped '
          f'(found in fewer than {result["min_track_len"]} sampled frames or too briefly '
          'in view to classify)')
    for track in result['tracks']:
        print(f'person #{track["track_id"]}: {track["first_sec"]:.2f}-{track["last_sec"]:.2f} s, '
              f'{track["top_class"]} {track["top_score"] * 100:.1f}% over '
              f'{len(track["windows"])} window(s)')
        for win in track['windows']:
            print(f'  {win["start_sec"]:8.2f}-{win["end_sec"]:8.2f} s  '
                  f'{win["top_class"]:<12s} {win["top_score"] * 100:5.1f}%')


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.apis import (inference_video, init_ous_model, open_user_video,
                             write_annotated_video)
    from ous_mm.apis.config import load_config
    from ous_mm.apis.video_source import check_user_video
    from ous_mm.datasets.face_detectors import face_detector_cfg
    from ous_mm.datasets.video_io import VideoReadError
    from ous_mm.visualization import plot_timeline

    try:  # before the model loads: a bad input fails at once, naming the file
        check_user_video(args.video)
    except (FileNotFoundError, VideoReadError) as err:
        raise SystemExit(f'error: {err}') from None
    config = load_config(args.config, args.cfg_options) if args.cfg_options else args.config
    detector = face_detector_cfg(args.detector, args.device, args.det_config,
                                 args.det_checkpoint, args.det_score_thr)
    from ous_mm.utils import CheckpointError
    from ous_mm.utils.class_identity import ClassIdentityError
    try:  # a damaged, tampered or foreign checkpoint: one line naming it, no traceback
        model = init_ous_model(config, args.checkpoint, device=args.device, sha256=args.sha256)
    except (CheckpointError, ClassIdentityError) as err:
        raise SystemExit(f'error: {err}') from None
    result = inference_video(model, args.video, window=args.window, stride=args.stride,
                             detector=detector, batch_size=args.batch_size,
                             progress=progress_bar('windows', 'window', args.no_progress),
                             all_faces=args.all_faces, min_track_len=args.min_track_len)
    if args.all_faces:
        print_tracks(result)
    else:
        for win in result['windows']:
            flag = ' (no face: centre crop)' if win['face_fallback'] else ''
            print(f'{win["start_sec"]:8.2f}-{win["end_sec"]:8.2f} s  '
                  f'{win["top_class"]:<12s} {win["top_score"] * 100:5.1f}%{flag}')
    if args.out_json:
        os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
        with open(args.out_json, 'w', encoding='utf-8') as f:
            json.dump(result, f, indent=2)
        print(f'saved {args.out_json}')
    if args.out_timeline and args.all_faces and not result['tracks']:
        print(f'no timeline: nobody was tracked in {args.video}')
    elif args.out_timeline:
        plot_timeline(result, args.out_timeline)
        print(f'saved {args.out_timeline}')
    if args.out_video:
        frames, _ = open_user_video(args.video)
        try:
            write_annotated_video(frames, result, args.out_video, top_k=args.top_k,
                                  progress=progress_bar('video', 'frame', args.no_progress))
        finally:
            frames.close()
        print(f'saved {args.out_video}')
    return result


if __name__ == '__main__':
    main()
