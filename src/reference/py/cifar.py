"""CIFAR-10 ResNets and their plain counterparts (He et al. 2016, section 4.2).

Three stages of n blocks at 16, 32 and 64 channels on 32x32 inputs, a 3x3 stem conv, global
average pooling and Linear(64, 10): depth 6n + 2. Option A shortcuts subsample the input and
pad the new channels with zeros (no parameters); option B shortcuts are 1x1 convolutions with
a BatchNorm. A plain network is the same stack without the shortcuts.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ZeroPadShortcut(nn.Module):
    """Option A: take every stride-th pixel and pad the extra channels with zeros."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.stride = stride
        self.pad = (planes - in_planes) // 2

    def forward(self, x):
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad, self.pad), "constant", 0)


class CifarBasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1, option="A"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            if option == "A":
                self.shortcut = ZeroPadShortcut(in_planes, planes, stride)
            elif option == "B":
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                    nn.BatchNorm2d(planes),
                )
            else:
                raise ValueError(f"unknown shortcut option {option!r}")

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)
        return F.relu(out)


class PlainBlock(nn.Module):
    """The basic block without its shortcut."""

    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)))


class CifarResNet(nn.Module):
    def __init__(self, n, num_classes=10, shortcut="A", plain=False):
        super().__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._make_layer(16, n, 1, shortcut, plain)
        self.layer2 = self._make_layer(32, n, 2, shortcut, plain)
        self.layer3 = self._make_layer(64, n, 2, shortcut, plain)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)

    def _make_layer(self, planes, n, stride, shortcut, plain):
        layers = []
        for s in [stride] + [1] * (n - 1):
            if plain:
                layers.append(PlainBlock(self.in_planes, planes, s))
            else:
                layers.append(CifarBasicBlock(self.in_planes, planes, s, shortcut))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.avgpool(out)
        out = out.view(out.size(0), -1)
        return self.fc(out)

    def stages(self):
        return [
            ("stem", nn.Sequential(self.conv1, self.bn1, nn.ReLU())),
            ("layer1", self.layer1),
            ("layer2", self.layer2),
            ("layer3", self.layer3),
            ("avgpool", nn.Sequential(self.avgpool, nn.Flatten(1))),
            ("fc", self.fc),
        ]


def cifar_resnet(depth, shortcut="A", num_classes=10):
    if (depth - 2) % 6 != 0:
        raise ValueError(f"a CIFAR ResNet has depth 6n + 2, not {depth}")
    return CifarResNet((depth - 2) // 6, num_classes, shortcut)


def plain_net(depth, num_classes=10):
    if (depth - 2) % 6 != 0:
        raise ValueError(f"a CIFAR plain network has depth 6n + 2, not {depth}")
    return CifarResNet((depth - 2) // 6, num_classes, plain=True)
