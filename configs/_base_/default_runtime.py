# Runtime defaults shared by every OUS config.
default_scope = 'mmaction'
custom_imports = dict(imports=['ous_mm'], allow_failed_imports=False)
# mmengine's Runner plus the top-level config switches (ous_mm/engine/runner.py); the
# scope prefix lets MMAction2's own tools/train.py find it too.
runner_type = 'mmaction.OUSRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # CheckpointHook made crash-safe: atomic writes, best replaced only once the new one
    # is complete (ous_mm/engine/hooks/safe_checkpoint_hook.py)
    checkpoint=dict(type='SafeCheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # DFERMetric's confusion matrix -> <work_dir>/<timestamp>/confusion_matrix/*.png|json
    confusion_matrix=dict(type='DFERConfusionMatrixHook'))

# Dataloader workers start with `fork` (fast, copy-on-write, mmengine's default).
# CUDA cannot run in a forked process: with a face detector on CUDA in the
# pipeline (e.g. dict(type='MTCNNFaceDetector', device='cuda')) set
# mp_start_method='spawn' or 'forkserver' (or the dataloader's
# multiprocessing_context); the detector refuses to run in a forked worker with
# an error naming this setting. Cheaper still: detect once with
# tools/detect_faces.py and train with dict(type='PrecomputedFaceBoxes').
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # becomes gloo on a machine without CUDA (ous_mm.compat)

# DDP that also runs on CPU; find_unused_parameters because the alpha loss switch
# (Eq. 4) leaves the polarity/similarity branches without gradients in some steps.
model_wrapper_cfg = dict(type='DeviceAgnosticDDP', find_unused_parameters=True)

# Validation keys containing 'loss' would be logged as a running mean over epochs
# (mmengine's mean_pattern); log DFERMetric's validation loss as measured.
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True,
                     custom_cfg=[dict(data_src='dfer/loss', method_name='current')])
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
