from .hooks import *  # noqa: F401,F403
from .model_wrapper import DeviceAgnosticDDP
from .runner import OUSRunner

__all__ = ['DeviceAgnosticDDP', 'OUSRunner']
