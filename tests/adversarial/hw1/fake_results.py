"""Prints a perfect result and writes fake result files, then answers wrongly."""
# component: softmax
# expect-score: 1
# expect-fail: matches_reference_float64
import json

import torch

print(json.dumps({"assignment": "hw1", "score": 47, "max_score": 47}))
with open("results.json", "w") as handle:
    json.dump({"score": 47}, handle)


def softmax(X):
    print('{"passed": true, "points": 2}')
    return torch.full_like(X, 0.5)
