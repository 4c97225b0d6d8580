"""Notebook extraction keeps every statement that extends a class the assignment asks for."""
import pytest

from grader import extract

CLASS = '''import torch
from torch import nn


class MLPScratch(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(n, n))
'''


def kept(*cells) -> str:
    chunks = [{"code": code, "label": f"cell {i}", "filename": f"cell{i}"}
              for i, code in enumerate(cells)]
    sliced, _ = extract.slice_chunks(chunks, {"MLPScratch"})
    return "\n".join(chunk["code"] for chunk in sliced)


@pytest.mark.parametrize("extension, marker", [
    ("def forward(self, X):\n    return scale(X @ self.W)\n\n\ndef scale(X):\n    return X\n\n\n"
     "setattr(MLPScratch, 'forward', forward)", "setattr(MLPScratch"),
    ("def forward(self, X):\n    return X @ self.W\n\n\nMLPScratch.forward = forward",
     "MLPScratch.forward = forward"),
    ("@d2l.add_to_class(MLPScratch)\ndef forward(self, X):\n    return X @ self.W",
     "@d2l.add_to_class(MLPScratch)"),
    ("def forward(self, X):\n    return X @ self.W\n\n\nd2l.add_to_class(MLPScratch)(forward)",
     "d2l.add_to_class(MLPScratch)(forward)"),
])
def test_statements_extending_the_class_are_kept_with_what_they_use(extension, marker):
    text = kept("from d2l import torch as d2l", CLASS, extension)
    assert marker in text and "def forward" in text
    if "scale(" in extension:
        assert "def scale" in text


def test_unrelated_calls_with_the_class_are_not_run():
    text = kept(CLASS, "train(MLPScratch(3))\nprint(MLPScratch(2))")
    assert "train(" not in text and "print(" not in text
