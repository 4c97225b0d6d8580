"""Evasion: an nn.modules.conv.Conv2d instance with its weight swapped in via functional_call."""
# component: conv2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
from torch.func import functional_call
from torch.nn.modules import conv


def conv2d(x, W, b=None, stride=1, pad=0):
    layer = conv.Conv2d(W.shape[1], W.shape[0], tuple(W.shape[2:]), stride=_pair(stride),
                        padding=_pair(pad), bias=b is not None)
    params = {"weight": W} if b is None else {"weight": W, "bias": b}
    return functional_call(layer, params, (x,))
