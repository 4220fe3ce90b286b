from .hooks import *  # noqa: F401,F403
from .model_wrapper import DeviceAgnosticDDP

__all__ = ['DeviceAgnosticDDP']
