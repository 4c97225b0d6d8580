"""Degenerate: the step function (1 where X > 0): ignores the magnitude."""
# component: relu
# expect-at-most: 1


def relu(X):
    return (X > 0).to(X.dtype) + 0 * X
