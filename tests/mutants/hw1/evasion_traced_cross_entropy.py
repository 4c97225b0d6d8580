"""Evasion: a TorchScript graph (torch.jit.trace, which needs no source) running nll_loss."""
# component: cross_entropy
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch
import torch.nn.functional as F


def _nll_of_log(y_hat, y):
    return F.nll_loss(torch.log(y_hat), y)


_traced = torch.jit.trace(_nll_of_log, (torch.full((2, 3), 1 / 3, dtype=torch.float64),
                                        torch.tensor([0, 2])))


def cross_entropy(y_hat, y):
    return _traced(y_hat, y)
