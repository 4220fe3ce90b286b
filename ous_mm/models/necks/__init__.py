from .cross_type_attention import CrossTypeAttentionBlock
from .feature_alignment import FeatureAlignment
from .frames_encoder import FramesEncoder
from .frames_mean import FramesMean
from .polarity_encoder import PolarityEncoder
from .temporal_lstm import TemporalLSTM
from .type_fusion_encoder import TypeFusionEncoder
from .type_fusion_neck import NeckOutputs, TypeFusionNeck

__all__ = [
    'CrossTypeAttentionBlock', 'FeatureAlignment', 'FramesEncoder', 'FramesMean', 'NeckOutputs',
    'PolarityEncoder', 'TemporalLSTM', 'TypeFusionEncoder', 'TypeFusionNeck'
]
