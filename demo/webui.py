"""Web demo (Gradio): upload or pick a video, see emotions over time, the face and scene crops.

Runs on the CPU with the OUS model ``make demo`` published by default (the newest
``work_dirs/demo/seed*/published/ous_*_synthetic_seed*-*.pth`` with the config of the
zoo model it is named after), or with any CONFIG CHECKPOINT::

    python demo/webui.py                                       # the make-demo model
    python demo/webui.py CONFIG CHECKPOINT --examples clips/   # your model, your examples
    python demo/webui.py CONFIG CHECKPOINT --port 7861 --listen   # reachable from the LAN

Each request runs :func:`ous_mm.apis.inference_video` and shows the annotated
video (face box, top emotions, no-face windows marked), the per-window emotion
timeline (:func:`ous_mm.visualization.plot_timeline`), the face and scene crops
of every window as the model saw them, and the JSON that ``demo/demo_video.py
--out-json`` writes. Programmatic use: the app's API endpoint ``/analyse``
(``gradio_client.Client(url).predict(handle_file(video), 0, 0, api_name='/analyse')``;
a fourth argument ``True`` tracks and classifies every face).
"""
import argparse
import glob
import os
import os.path as osp
import sys
import tempfile
from typing import List, Optional, Sequence

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# what tools/run_demo.py publishes: <name>_seed<S>-<sha256[:8]>.pth, <name> a zoo model
DEMO_CHECKPOINTS = osp.join(ROOT, 'work_dirs', 'demo', 'seed*', 'published',
                            'ous_*_synthetic_seed*-*.pth')
DEMO_VIDEOS = osp.join(ROOT, 'data', 'synthetic_*', 'videos', '*.mp4')
VIDEO_EXT = ('.mp4', '.avi', '.mov', '.mkv', '.webm')
MAX_CROPS = 12
INSTALL_EXTRA = ('.venv/bin/python -m pip install -r requirements/webui.txt '
                 '-c requirements/constraints.txt')


def require_gradio() -> None:
    """Stop at once, with the install command, when the web-demo extra is missing (before
    the model is loaded: that takes many seconds for nothing)."""
    try:
        import gradio  # noqa: F401
    except ImportError as err:
        raise SystemExit(f'demo/webui.py needs the web-demo extra ({err}); install it with: '
                         f'{INSTALL_EXTRA}') from None


def checkpoint_note(config: str, checkpoint: Optional[str]) -> str:
    """``config, checkpoint file and its sha256``: logged and shown on the page."""
    if not checkpoint:
        return f'model: {config}, no checkpoint (random weights)'
    if not osp.isfile(checkpoint):
        return f'model: {config}, checkpoint {checkpoint}'
    from ous_mm.utils.checkpoint import file_sha256
    return f'model: {config}, checkpoint {checkpoint} (sha256 {file_sha256(checkpoint)})'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?', default=None,
                        help='model config (default: that of the make-demo OUS model)')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint (default: the newest checkpoint make demo published)')
    parser.add_argument('--examples', nargs='*', default=None,
                        help='videos or folders offered as examples (default: a few clips '
                        'of data/synthetic_* when make demo generated them)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--listen', action='store_true',
                        help='serve on 0.0.0.0 instead of 127.0.0.1')
    args = parser.parse_args(argv)
    if args.config is None:
        found = sorted(glob.glob(DEMO_CHECKPOINTS), key=osp.getmtime)
        if not found:
            parser.error('no model given and no make-demo checkpoint found '
                         f'({osp.relpath(DEMO_CHECKPOINTS, ROOT)}): run `make demo` or pass '
                         'CONFIG CHECKPOINT')
        args.config, args.checkpoint = demo_config(found[-1]), found[-1]
    return args


def demo_config(checkpoint: str) -> str:
    """The config of a published demo checkpoint: its name (``<name>_seed<S>-<sha>.pth``) is
    the model zoo's."""
    from ous_mm.utils.model_zoo import find_zoo_config

    name = osp.basename(checkpoint).rsplit('_seed', 1)[0]
    try:
        return find_zoo_config(name)
    except KeyError as err:
        raise SystemExit(f'{checkpoint}: {err.args[0]}; pass CONFIG CHECKPOINT')


def find_examples(paths: Optional[Sequence[str]], limit: int = 6) -> List[str]:
    """Video files among ``paths`` (folders are listed), else a few synthetic demo clips."""
    if paths is None:
        return sorted(glob.glob(DEMO_VIDEOS))[:limit]
    found = []
    for path in paths:
        if osp.isdir(path):
            found += sorted(p for p in glob.glob(osp.join(path, '*'))
                            if p.lower().endswith(VIDEO_EXT))
        elif osp.isfile(path):
            found.append(path)
        else:
            raise SystemExit(f'example not found: {path}')
    return found[:limit]


def _crop_tile(record: dict, inputs) -> tuple:
    """Middle face frame beside middle scene frame of one window, with its caption."""
    import numpy as np

    from ous_mm.visualization import FALLBACK_COLOR, clip_panel, mark_fallback

    clip = inputs.numpy()  # (2, T, 3, H, W) uint8
    t = clip.shape[1] // 2
    face = np.ascontiguousarray(clip[0, t].transpose(1, 2, 0))
    scene = np.ascontiguousarray(clip[1, t].transpose(1, 2, 0))
    span = f'{record["start_sec"]:.2f}-{record["end_sec"]:.2f} s'
    if 'track_id' in record:  # every face tracked: say whose crop it is
        span = f'#{record["track_id"]} {span}'
    if record['face_fallback']:
        face = mark_fallback(face.copy())
        lines = [(f'{span} NO FACE: centre crop', FALLBACK_COLOR)]
    else:
        lines = [(span, (255, 255, 255))]
    return clip_panel([('face | scene', [face, scene])], lines, cell=160), span


def analyse(model, video: str, window: Optional[int] = None, stride: Optional[int] = None,
            out_dir: Optional[str] = None, detector=None, all_faces: bool = False):
    """One request: ``(annotated webm, timeline png, [(crop image, caption)], result)``.

    ``all_faces``: every person tracked and classified (``demo_video.py --all-faces``);
    the timeline is None when nobody was tracked.
    """
    from ous_mm.apis import inference_video, open_user_video, write_annotated_video
    from ous_mm.visualization import plot_timeline

    out_dir = out_dir or tempfile.mkdtemp(prefix='ous_webui_')
    tiles = []

    def keep(record, inputs):
        if len(tiles) < MAX_CROPS:
            tiles.append((record, _crop_tile(record, inputs)))

    result = inference_video(model, video, window=window or None, stride=stride or None,
                             detector=detector, on_window=keep, all_faces=all_faces)
    gallery = [(image, f'{caption}  {record["top_class"]} {record["top_score"] * 100:.0f}%')
               for record, (image, caption) in tiles]
    stem = osp.splitext(osp.basename(video))[0]
    annotated = osp.join(out_dir, f'{stem}_annotated.webm')
    frames, _ = open_user_video(video)
    try:
        write_annotated_video(frames, result, annotated)
    finally:
        frames.close()
    timeline = osp.join(out_dir, f'{stem}_timeline.png')
    if all_faces and not result['tracks']:
        timeline = None
    else:
        plot_timeline(result, timeline)
    return annotated, timeline, gallery, result


def build_app(model, examples: Sequence[str] = (), detector=None, note: str = ''):
    """The Gradio Blocks app around ``model`` (from :func:`ous_mm.apis.init_ous_model`);
    ``note`` (:func:`checkpoint_note`) is shown under the title.

    Gradio's usage analytics are off unless ``GRADIO_ANALYTICS_ENABLED`` says otherwise.
    """
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    import gradio as gr

    def run(video, window, stride, all_faces=False):
        if not video:
            raise gr.Error('Upload a video or pick an example first.')
        try:
            return analyse(model, video, int(window or 0), int(stride or 0),
                           detector=detector, all_faces=bool(all_faces))
        except (OSError, RuntimeError, ValueError) as err:  # unreadable video, bad window
            raise gr.Error(f'{osp.basename(str(video))}: {err}') from err

    names = ', '.join(model.class_names or [])
    with gr.Blocks(title='OUS: scene-guided facial expression recognition') as app:
        gr.Markdown('## OUS: scene-guided dynamic facial expression recognition\n'
                    f'Emotions over time in a video ({names}). The face is tracked and '
                    'cropped, the whole frame is the scene; windows where no face was '
                    'found use the centre crop and are marked in red.'
                    + (f'\n\n<small>{note}</small>' if note else ''))
        with gr.Row():
            with gr.Column(scale=1):
                # a file, not gr.Video: the browser need not play it (DFER sets ship
                # MPEG-4 Part 2 / AVI clips that only OpenCV or decord decode)
                video = gr.File(label='video (any format OpenCV reads)', type='filepath',
                                file_types=list(VIDEO_EXT))
                with gr.Row():
                    window = gr.Number(label='window (frames, 0 = about 2 s)', value=0,
                                       precision=0, minimum=0)
                    stride = gr.Number(label='stride (frames, 0 = window / 2)', value=0,
                                       precision=0, minimum=0)
                all_faces = gr.Checkbox(label='every face (one track and timeline row per '
                                        'person)', value=False)
                button = gr.Button('Analyse', variant='primary')
                if examples:
                    gr.Examples(examples=[[e] for e in examples], inputs=[video])
            with gr.Column(scale=1):
                annotated = gr.Video(label='annotated video', format=None)
        timeline = gr.Image(label='emotion timeline', type='filepath')
        crops = gr.Gallery(label='face and scene crops per window', columns=4, height='auto',
                           object_fit='contain')
        result = gr.JSON(label='result (demo_video.py --out-json)')
        button.click(run, inputs=[video, window, stride, all_faces],
                     outputs=[annotated, timeline, crops, result], api_name='analyse')
    return app


def main(argv=None):
    require_gradio()
    args = parse_args(argv)
    from ous_mm.apis import init_ous_model

    note = checkpoint_note(args.config, args.checkpoint)
    print(f'web demo: {note}', flush=True)
    model = init_ous_model(args.config, args.checkpoint, device=args.device)
    app = build_app(model, find_examples(args.examples), note=note)
    app.queue(max_size=8).launch(server_name='0.0.0.0' if args.listen else '127.0.0.1',
                                 server_port=args.port, share=False)


if __name__ == '__main__':
    main()
