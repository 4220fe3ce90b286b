"""Log how strongly each stream is trained: gradient norms reaching its tokens."""
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class FusionCompetitionHook(Hook):
    """Log ``grad_face`` / ``grad_scene`` / ``grad_polarity`` every training iteration.

    The fusion neck (``measure_attention=True``) keeps the mean per-clip norm of the
    gradient reaching each token type in the last backward pass; this hook writes them
    to the message hub, so they appear in the training log and ``scalars.json`` beside
    the head's ``attn_*`` shares and ``face_probe_acc`` (docs/method.md, "Scene
    shortcut"). A model without such a neck logs nothing.
    """

    priority = 'NORMAL'  # before LoggerHook, which writes this iteration's scalars

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        norms = getattr(getattr(model, 'neck', None), 'last_grad_norms', None) or {}
        for name, value in norms.items():
            runner.message_hub.update_scalar(f'train/grad_{name}', value)
