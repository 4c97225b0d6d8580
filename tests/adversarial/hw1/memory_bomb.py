"""softmax allocates without bound."""
# component: softmax
# expect-score: 0
def softmax(X):
    hog = []
    while True:
        hog.append(bytearray(1 << 26))
