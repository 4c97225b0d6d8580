"""Evasion: a TorchScript-compiled dropout."""
# component: dropout
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import torch

# TorchScript compiled from a string (a submission has no source file for jit.script).
_unit = torch.jit.CompilationUnit("""
def scripted(x: Tensor, p: float, training: bool) -> Tensor:
    return torch.dropout(x, p, training)
""")


def dropout(x, dropout_ratio=0.5, training=True):
    return _unit.scripted(x, float(dropout_ratio), bool(training))
