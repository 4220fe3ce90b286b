"""DDP wrapper that also runs on CPU (gloo), so the distributed tools work anywhere."""
from mmengine.model import MMDistributedDataParallel
# The root registry, not mmaction's child: Runner.wrap_model looks the type up there.
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAgnosticDDP(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` that drops ``device_ids`` for CPU modules.

    mmengine's Runner always passes ``device_ids=[LOCAL_RANK]``, which torch's DDP
    rejects for a module on the CPU. On GPU this class is exactly the mmengine one.
    """

    def __init__(self, module, device_ids=None, **kwargs):
        first = next(module.parameters(), None)
        if first is not None and first.device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)
