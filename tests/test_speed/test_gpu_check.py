"""benchmarks/gpu_check.sh: refuses clearly without CUDA; its peak table and summary work."""
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _gpu_check_module():
    spec = importlib.util.spec_from_file_location('gpu_check', REPO / 'benchmarks/gpu_check.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _no_cuda_env(tmp_path):
    return dict(os.environ, CUDA_VISIBLE_DEVICES='', PY=sys.executable,
                GPU_CHECK_OUT=str(tmp_path / 'out'), OMP_NUM_THREADS='1')


def test_script_refuses_without_cuda_in_one_line(tmp_path):
    start = time.monotonic()
    proc = subprocess.run(['bash', 'benchmarks/gpu_check.sh'], cwd=REPO, capture_output=True,
                          text=True, env=_no_cuda_env(tmp_path), timeout=120)
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and 'no CUDA device' in lines[0], proc.stderr
    assert proc.stdout == '' and not (tmp_path / 'out').exists()  # nothing started
    assert time.monotonic() - start < 60


def test_python_stages_refuse_without_cuda(tmp_path):
    proc = subprocess.run([sys.executable, 'benchmarks/gpu_check.py', 'encoder', '--out',
                           str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                          env=_no_cuda_env(tmp_path), timeout=120)
    assert proc.returncode == 3 and 'no CUDA device' in proc.stderr
    assert not list(tmp_path.glob('*.json'))


def test_peak_table_detects_gpus_by_name():
    peak = _gpu_check_module().gpu_peak_bf16_tflops
    assert peak('NVIDIA H100 80GB HBM3') == ('H100 SXM', 989.4)
    assert peak('NVIDIA H100 PCIe') == ('H100 PCIe', 756.5)
    assert peak('NVIDIA H100 NVL') == ('H100 NVL', 835.5)
    assert peak('NVIDIA H200') == ('H200 SXM', 989.4)
    assert peak('NVIDIA H200 NVL') == ('H200 NVL', 835.5)
    assert peak('NVIDIA A100-SXM4-80GB') == ('A100', 312.0)
    assert peak('NVIDIA L40S') == ('L40S', 362.05)
    assert peak('Tesla V100-SXM2-16GB') == (None, None)


def test_summary_table_from_stage_results(tmp_path, capsys):
    """The table the script ends with, from JSONs shaped like the stages write them."""
    stages = dict(
        build=dict(ok=True, status='present', detail='mmcv ops already built for CUDA'),
        mmcv=dict(ok=True, mmcv='2.1.0', ops_cuda='13.0', nms_on_gpu=True),
        encoder=dict(ok=True, gpu='NVIDIA H200', gpu_model='H200 SXM', peak_bf16_tflops=989.4,
                     best=dict(frames=256, frames_s=2500.0, tflop_s=405.0, of_peak=0.409),
                     gemm_bf16_tflops=700.0, of_gemm=0.58, autocast_fp32_weights_frames_s=1900.,
                     bf16_vs_fp32=dict(min_cosine=0.9995, rel_l2=0.02)),
        train=dict(ok=True, steps={'end to end, fp32+tf32': dict(
            seconds=0.2, clips_s=20.0, peak_memory_gib=9.5, finite=True)}),
        ddp=dict(ok=False, world=2, gpus=1, backend='gloo', devices=['cuda:0', 'cuda:0'],
                 step_s=0.05, params_in_sync=False, gathered_loss_vs_one_process=0.0),
        runner=dict(ok=False, status='TIMEOUT', detail='over 120 s'))
    for name, result in stages.items():
        (tmp_path / f'{name}.json').write_text(json.dumps(result))
    assert _gpu_check_module().print_summary(str(tmp_path)) == 1  # two stages failed
    out = capsys.readouterr().out
    assert '40.9 % of the H200 SXM bf16 peak' in out and '2500 frames/s' in out
    rows = {line.split()[0]: line.split()[1] for line in out.strip().splitlines()[1:]}
    assert rows == dict(build='ok', mmcv='ok', encoder='ok', train='ok', ddp='FAILED',
                        runner='TIMEOUT')
