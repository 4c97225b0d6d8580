"""Correct relu: a clone whose negatives are set to 0 with boolean indexing."""
# component: relu
# expect: full


def relu(X):
    out = X.clone()
    out[out < 0] = 0
    return out
