from .prompt_contrastive_head import PromptContrastiveHead
from .prompt_learner import PromptLearner

__all__ = ['PromptContrastiveHead', 'PromptLearner']
