# A tiny random-init CLIP for tests and the CPU demo: 64 px frames, 4 ViT blocks of
# width 64, a 2-block text tower of width 64, 8 prompt tokens. Trains in minutes on CPU.
_base_ = ['./ous_vitl14.py']
tiny_clip = dict(
    embed_dim=64,
    vision_cfg=dict(image_size=64, layers=4, width=64, patch_size=16, head_width=32),
    text_cfg=dict(context_length=77, vocab_size=49408, width=64, heads=2, layers=2))
model = dict(
    backbone=dict(arch=dict(_delete_=True, **tiny_clip), pretrained=None, quick_gelu=False, early_layers=2),
    neck=dict(
        frames_encoder=dict(num_layers=1, num_heads=2, max_frames=8),
        tfe=dict(num_blocks=2, num_queries=4, num_heads=2, mlp_ratio=2.0)),
    cls_head=dict(prompt_length=8))
