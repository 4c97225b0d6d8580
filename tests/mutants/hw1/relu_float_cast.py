"""Multiplies by a float32 mask: float64 inputs come back as float32."""
# component: relu
# expect-fail: output_contract, matches_reference_float64
import torch


def relu(X):
    return X.float() * (X > 0).float()
