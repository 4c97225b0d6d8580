"""Reaches F.softmax through eval and __import__ built from strings."""
# component: softmax
# expect-score: 0
# expect-status: banned
_soft = eval("__imp" + "ort__('torch.nn.functional', fromlist=['x'])." + "soft" + "max")


def softmax(X):
    return _soft(X, dim=1)
