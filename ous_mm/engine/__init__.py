from .model_wrapper import DeviceAgnosticDDP

__all__ = ['DeviceAgnosticDDP']
