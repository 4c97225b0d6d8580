"""Evasion: torch.ops.aten.convolution.default called directly."""
# component: conv2d
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch


def conv2d(x, W, b=None, stride=1, pad=0):
    return torch.ops.aten.convolution.default(x, W, b, list(_pair(stride)), list(_pair(pad)),
                                              [1, 1], False, [0, 0], 1)
