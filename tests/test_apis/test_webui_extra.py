"""demo/webui.py without its extra stops at once with the install command; the log and the
page name the checkpoint file and its sha256 (the page part: test_webui.py)."""
import hashlib
import os
import subprocess
import sys
import time

from tests.test_datasets.video_fixtures import load_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, 'configs', 'ous', 'demo', 'ous_frozen_synthetic.py')


def test_a_missing_gradio_stops_in_under_two_seconds_with_the_install_command(tmp_path):
    stub = tmp_path / 'no_gradio' / 'gradio'  # what an environment without the extra raises
    stub.mkdir(parents=True)
    (stub / '__init__.py').write_text(
        "raise ModuleNotFoundError(\"No module named 'gradio'\", name='gradio')\n")
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'not loaded')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(stub.parent), ROOT]))
    start = time.monotonic()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'demo', 'webui.py'), CONFIG,
                           str(ckpt)], env=env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - start
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert "No module named 'gradio'" in proc.stderr
    assert ('pip install -r requirements/webui.txt -c requirements/constraints.txt'
            in proc.stderr)
    assert seconds < 2.0, f'{seconds:.1f} s: the model was loaded first?'


def test_the_checkpoint_note_names_the_file_and_its_sha256(tmp_path):
    webui = load_tool(os.path.join(ROOT, 'demo', 'webui.py'))
    ckpt = tmp_path / 'ous_frozen_synthetic_seed0-12345678.pth'
    ckpt.write_bytes(b'weights')
    note = webui.checkpoint_note(CONFIG, str(ckpt))
    assert str(ckpt) in note and CONFIG in note
    assert f'sha256 {hashlib.sha256(b"weights").hexdigest()}' in note
    assert 'random weights' in webui.checkpoint_note(CONFIG, None)
