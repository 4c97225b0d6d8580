"""Evasion: F.unfold in a helper thread."""
# component: im2col
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import threading

import torch.nn.functional as F


def im2col(x, kernel_size, stride=1, pad=0):
    out = {}

    def work():
        cols = F.unfold(x, _pair(kernel_size), padding=_pair(pad), stride=_pair(stride))
        out["y"] = cols.transpose(1, 2).reshape(-1, cols.shape[1])
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return out["y"]
