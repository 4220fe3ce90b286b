"""Stop a run before its first iteration when the parts of it disagree on the classes.

Why: a class order that differs between the dataset, the prompt head, the metric or
the checkpoint loaded (resume, ``load_from``, testing) trains and reports every class
under another's name without any error; a different count only failed at the first
validation, an epoch later. :class:`~ous_mm.engine.runner.OUSRunner` registers this
hook on every run, so no config can leave it out.
"""
from mmaction.registry import HOOKS
from mmengine.hooks import Hook

from ous_mm.utils.class_identity import check_class_identity


@HOOKS.register_module()
class ClassIdentityHook(Hook):
    """Runs :func:`~ous_mm.utils.class_identity.check_class_identity` before training and
    before testing, with the checkpoint the Runner loaded (if any)."""

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._checkpoint_meta = None
        self._checkpoint = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._checkpoint_meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
        self._checkpoint = runner._load_from  # noqa: SLF001 - the file the Runner loads

    def _check(self, runner, loops) -> None:
        datasets, metrics = {}, []
        for name, loop in loops:
            if loop is None or isinstance(loop, dict):
                continue  # not built: not part of this run
            dataset = getattr(getattr(loop, 'dataloader', None), 'dataset', None)
            if dataset is not None:
                datasets[f'{name}_dataloader.dataset'] = dataset
            metrics += list(getattr(getattr(loop, 'evaluator', None), 'metrics', []) or [])
        check_class_identity(model=runner.model, datasets=datasets, metrics=metrics,
                             checkpoint_meta=self._checkpoint_meta, checkpoint=self._checkpoint)

    def before_train(self, runner) -> None:
        self._check(runner, [('train', runner.train_loop), ('val', runner._val_loop)])  # noqa: SLF001

    def before_test(self, runner) -> None:
        self._check(runner, [('test', runner.test_loop)])
