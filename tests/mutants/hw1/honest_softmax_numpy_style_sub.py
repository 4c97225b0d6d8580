"""Correct softmax using Tensor methods only: sub, exp, div and the detached row max."""
# component: softmax
# expect: full


def softmax(X):
    m = X.max(dim=1, keepdim=True).values.detach()
    e = X.sub(m).exp()
    return e.div(e.sum(dim=1, keepdim=True))
