"""softmax calls sys.exit(0)."""
# component: softmax
# expect-score: 0
import sys


def softmax(X):
    sys.exit(0)
