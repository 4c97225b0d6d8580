"""Hidden MLPScratch check: the training run, graded, but feedback shows only its
name and points.

Left out of student releases (``python -m grader release``).
"""
import numpy as np
import torch

from grader.errors import CheckFailure
from grader.student import expect_tensor


def ring_dataset(n: int, seed: int):
    """Three classes by distance from the origin: not linearly separable.

    Features are (n, 1, 2, 4): two informative coordinates and six noise ones,
    so the model must also flatten its input.
    """
    rng = np.random.default_rng(seed)
    radius = rng.uniform(0, 3, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    labels = np.digitize(radius, [1.0, 2.0])
    features = rng.normal(0, 0.1, (n, 8))
    features[:, 0], features[:, 1] = radius * np.cos(angle), radius * np.sin(angle)
    return (torch.from_numpy(features.reshape(n, 1, 2, 4)).float(),
            torch.from_numpy(labels).long())


def test_learns_with_own_pieces(student):
    """MLPScratch + the student's SGD, softmax and cross_entropy learn a small task."""
    X, y = ring_dataset(300, 0)
    X_test, y_test = ring_dataset(300, 1)
    result = student.scenario("train", "training MLPScratch with your SGD",
                              {"model_args": [8, 3, 32, 0.5, 0.5], "lr": 0.5, "X": X, "y": y,
                               "X_test": X_test}, epochs=20, batch_size=50, seed=0,
                              uses=["softmax", "cross_entropy", "sgd"])
    losses = expect_tensor(result["losses"], "training losses")
    logits = expect_tensor(result["test_logits"], "MLPScratch on the test set")
    if not bool(torch.isfinite(losses).all()):
        raise CheckFailure("the training loss became inf or NaN. This check trains with YOUR "
                           "softmax, cross_entropy and SGD: fix their failing checks first")
    accuracy = float((logits.argmax(dim=1) == y_test).double().mean())
    first, last = float(losses[:12].mean()), float(losses[-12:].mean())  # ~2 epochs each
    if accuracy < 0.9 or last > 0.5 * first:
        raise CheckFailure(f"after 20 epochs the training loss went from {first:.3f} to "
                           f"{last:.3f} and test accuracy is {accuracy:.2f}; expected the loss "
                           "to at least halve and accuracy >= 0.90 (this check uses your "
                           "softmax, cross_entropy and SGD too)")
