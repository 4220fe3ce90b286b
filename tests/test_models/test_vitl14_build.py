"""The paper's model (ViT-L/14, DFEW config) builds at full size with random init."""
import torch
from mmengine.config import Config

from mmaction.registry import MODELS

from .conftest import REPO


def test_vitl14_dfew_model_builds_with_only_ous_parts_trainable():
    cfg = Config.fromfile(str(REPO / 'configs/ous/ous_vitl14_dfew.py'))
    cfg.model.backbone.pretrained = None  # no download in tests; random init
    model = MODELS.build(cfg.model)
    assert model.backbone.embed_dim == 768 and model.backbone.early_dim == 2 * 1024
    assert len(model.backbone.visual.transformer.resblocks) == 24
    assert len(model.neck.tfe.blocks) == 12 and model.cls_head.prompt_learner.ctx.shape == (64, 768)

    counts = {'trainable': 0, 'frozen': 0}
    by_part = {}
    for name, param in model.named_parameters():
        key = 'trainable' if param.requires_grad else 'frozen'
        counts[key] += param.numel()
        part = '.'.join(name.split('.')[:2])
        by_part.setdefault((key, part), 0)
        by_part[(key, part)] += param.numel()
        if name.startswith(('backbone.', 'cls_head.text_encoder.')):
            assert not param.requires_grad, f'encoder weight {name} is trainable'
        else:
            assert param.requires_grad, f'OUS weight {name} is frozen'
    print(f"\nViT-L/14 OUS: trainable {counts['trainable'] / 1e6:.2f} M, "
          f"frozen {counts['frozen'] / 1e6:.2f} M")
    for (key, part), num in sorted(by_part.items()):
        print(f'  {key:9s} {part:28s} {num / 1e6:8.2f} M')
    # open_clip ViT-L-14: 303.97 M vision tower + 123.65 M text tower
    assert 420e6 < counts['frozen'] < 430e6
    assert 0 < counts['trainable'] < counts['frozen'] / 2
    del model
    torch.cuda.empty_cache() if torch.cuda.is_available() else None
