"""softmax returns an object whose __eq__ and allclose always say yes."""
# component: softmax
# expect-score: 0


class _Yes:
    shape = property(lambda self: (0,))

    def __eq__(self, other):
        return True

    def allclose(self, *args, **kwargs):
        return True

    def sum(self, *args, **kwargs):
        return self


def softmax(X):
    return _Yes()
