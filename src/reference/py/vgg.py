"""VGG-16 (configuration D of Simonyan and Zisserman 2015), as torchvision defines it."""
import torch
import torch.nn as nn

VGG16_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def make_layers(cfg, batch_norm=False):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.classifier(x)
        return x

    def stages(self):
        out = []
        block = []
        for m in self.features:
            block.append(m)
            if isinstance(m, nn.MaxPool2d):
                out.append((f"block{len(out) + 1}", nn.Sequential(*block)))
                block = []
        out.append(("avgpool", nn.Sequential(self.avgpool, nn.Flatten(1))))
        out.append(("fc6", self.classifier[0:3]))
        out.append(("fc7", self.classifier[3:6]))
        out.append(("fc8", self.classifier[6]))
        return out


def vgg16(num_classes=1000):
    return VGG(make_layers(VGG16_CFG), num_classes)
