from .stop_on_lr_floor_hook import StopOnLRFloorHook

__all__ = ['StopOnLRFloorHook']
