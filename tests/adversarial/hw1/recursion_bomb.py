"""softmax recurses with the recursion limit lifted: the C stack overflows."""
# component: softmax
# expect-score: 0
import sys

sys.setrecursionlimit(10 ** 7)


def softmax(X):
    return softmax(X) + 1
