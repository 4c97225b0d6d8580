"""Calls torch.nn.functional.dropout instead of implementing it."""
# component: dropout
# expect-fail: from_scratch


def dropout(x, dropout_ratio=0.5, training=True):
    return torch.nn.functional.dropout(x, dropout_ratio, training)
