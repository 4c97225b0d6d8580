"""Evasion: softmax computed inside scaled_dot_product_attention."""
# component: softmax
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import math

import torch
import torch.nn.functional as F


def softmax(X):
    C = X.shape[1]
    eye = torch.eye(C, dtype=X.dtype, device=X.device)
    return F.scaled_dot_product_attention(X[None] * math.sqrt(C), eye[None], eye[None])[0]
