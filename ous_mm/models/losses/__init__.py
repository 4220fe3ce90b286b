from .contrastive_loss import ContrastiveLoss
from .global_switch_loss import GlobalSwitchLoss
from .polarity_loss import PolarityLoss
from .similarity_loss import SimilarityLoss

__all__ = ['ContrastiveLoss', 'GlobalSwitchLoss', 'PolarityLoss', 'SimilarityLoss']
