"""softmax ends its process with os._exit(0), hoping for a result of nothing."""
# component: softmax
# expect-score: 0
# expect-check-status: crashed
import os


def softmax(X):
    os._exit(0)
