"""Plot the emotion timeline of a ``demo/demo_video.py --out-json`` result as PNG.

One line per class (its probability at each window's centre); windows where no
face was found (the centre crop was classified) are shaded and labelled. A
``--all-faces`` result gets one row per tracked person.

Example::

    python demo/demo_video.py clip.mp4 CONFIG CKPT --out-json clip.json
    python tools/analysis_tools/plot_timeline.py clip.json --out clip_timeline.png
    python tools/analysis_tools/plot_timeline.py clip.json --classes Happy Sad Angry
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('result', help='JSON written by demo/demo_video.py --out-json')
    parser.add_argument('--out', default=None,
                        help='PNG path (default: <result>_timeline.png beside the JSON)')
    parser.add_argument('--classes', nargs='+', default=None,
                        help='only these classes, in this order (default: all)')
    parser.add_argument('--title', default=None)
    return parser.parse_args(argv)


def load_result(path: str) -> dict:
    """The JSON result; a clear exit for a missing file or one that is not a demo result."""
    if not osp.isfile(path):
        raise SystemExit(f'result file not found: {path}')
    try:
        with open(path, encoding='utf-8') as f:
            result = json.load(f)
    except json.JSONDecodeError as err:
        raise SystemExit(f'{path}:{err.lineno}: not JSON ({err.msg})') from None
    if not isinstance(result, dict) or not (result.get('windows') or 'tracks' in result):
        raise SystemExit(f'{path} has no "windows" (nor "tracks"): was it written by '
                         'demo/demo_video.py --out-json?')
    return result


def main(argv=None):
    args = parse_args(argv)
    from ous_mm.visualization import plot_timeline

    result = load_result(args.result)
    out = args.out or osp.splitext(args.result)[0] + '_timeline.png'
    try:
        fig = plot_timeline(result, out, classes=args.classes, title=args.title)
    except ValueError as err:
        raise SystemExit(f'{args.result}: {err}') from None
    if 'tracks' in result:
        print(f'{len(result["tracks"])} people, '
              f'{sum(len(t["windows"]) for t in result["tracks"])} person-windows; saved {out}')
    else:
        fallback = sum(bool(w.get('face_fallback')) for w in result['windows'])
        print(f'{len(result["windows"])} windows ({fallback} without a face); saved {out}')
    return fig


if __name__ == '__main__':
    main()
