from .base import HeadLoss, head_loss_traits
from .contrastive_loss import ContrastiveLoss
from .global_switch_loss import GlobalSwitchLoss
from .polarity_loss import PolarityLoss
from .similarity_loss import SimilarityLoss
from .variance_loss import VarianceLoss

__all__ = ['HeadLoss', 'head_loss_traits', 'ContrastiveLoss', 'GlobalSwitchLoss', 'PolarityLoss',
           'SimilarityLoss', 'VarianceLoss']
