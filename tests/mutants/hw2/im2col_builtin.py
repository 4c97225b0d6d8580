"""F.unfold reached through importlib and getattr, to hide it from a text search."""
# component: im2col
# expect-fail: from_scratch
import importlib


def im2col(x, kernel_size, stride=1, pad=0):
    unfold = getattr(importlib.import_module("torch.nn.functional"), "un" + "fold")
    cols = unfold(x, _pair(kernel_size), padding=_pair(pad), stride=_pair(stride))
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])
