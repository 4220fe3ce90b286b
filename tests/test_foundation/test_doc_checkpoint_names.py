"""Issue 14 item 10: the docs name the checkpoints training really writes.

The README told users to load `work_dirs/.../best.pth`; mmengine's CheckpointHook writes
`epoch_N.pth` and `best_<metric with / as _>_epoch_N.pth` for the configs' `save_best`."""
import glob
import os
import re

from mmengine.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = ('configs/ous/ous_vitl14_dfew.py', 'configs/ous/demo/ous_demo_synthetic.py')
PTH_IN_WORK_DIR = re.compile(r'work_dirs/[^\s`\'")\]]*?([\w*.-]+\.pth)\b')
NUMBER = r'(\d+|N|\*)'


def _best_keys():
    keys = set()
    for path in CONFIGS:
        hook = Config.fromfile(os.path.join(ROOT, path),
                               import_custom_modules=False).default_hooks.checkpoint
        best = hook.get('save_best') or []
        for key in [best] if isinstance(best, str) else best:
            keys.add(key.replace('/', '_'))  # mmengine's file-name form of the metric
    return keys


def _docs():
    files = glob.glob(os.path.join(ROOT, '*.md')) + glob.glob(os.path.join(ROOT, 'docs', '*.md'))
    files += glob.glob(os.path.join(ROOT, '*', 'README.md'))
    files += glob.glob(os.path.join(ROOT, 'tools', '**', '*.py'), recursive=True)
    files += glob.glob(os.path.join(ROOT, 'demo', '*.py'))
    return sorted(set(files))


def test_docs_name_checkpoints_that_training_writes():
    keys = _best_keys()
    assert {'dfer_UAR', 'dfer_loss'} <= keys
    allowed = re.compile(rf'^((epoch|iter)_{NUMBER}|best_({"|".join(map(re.escape, keys))})'
                         rf'_(epoch|iter)_{NUMBER})\.pth$')
    named, wrong = 0, []
    for path in _docs():
        text = open(path, encoding='utf-8').read()
        for lineno, line in enumerate(text.splitlines(), 1):
            for match in PTH_IN_WORK_DIR.finditer(line):
                if '/published/' in match.group(0):  # publish_checkpoint.py's <name>-<hash>
                    continue
                named += 1
                if not allowed.match(match.group(1)):
                    wrong.append(f'{os.path.relpath(path, ROOT)}:{lineno}: {match.group(1)}')
    assert named >= 3  # the README and model zoo do name checkpoints
    assert not wrong, 'checkpoint names training never writes:\n' + '\n'.join(wrong)
