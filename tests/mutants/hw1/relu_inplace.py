"""Zeroes negatives in the caller's tensor."""
# component: relu
# expect-fail: output_contract
def relu(X):
    X[X < 0] = 0
    return X
