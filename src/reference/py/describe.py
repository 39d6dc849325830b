"""Helpers lessonlint calls on reference models: the stage list and a structural summary."""
import torch.nn as nn

BLOCK_CLASSES = ("BasicBlock", "Bottleneck", "CifarBasicBlock", "PlainBlock")


def model_stages(model):
    return model.stages()


def describe(model):
    """(main-path convs, shortcut convs, [(in, out, params) per Linear], [(block class, count)])."""
    convs = 0
    shortcut_convs = 0
    linears = []
    blocks = []
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            if "downsample" in name or "shortcut" in name:
                shortcut_convs += 1
            else:
                convs += 1
        elif isinstance(m, nn.Linear):
            linears.append((m.in_features, m.out_features, sum(p.numel() for p in m.parameters())))
        kind = type(m).__name__
        if kind in BLOCK_CLASSES:
            for i, (k, n) in enumerate(blocks):
                if k == kind:
                    blocks[i] = (k, n + 1)
                    break
            else:
                blocks.append((kind, 1))
    return convs, shortcut_convs, linears, blocks
