"""Hidden SGD check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
import torch

from grader.checks.hw1.test_sgd import _problem, compare_params, run_sgd


def test_d2l_training_loop(student):
    """Five steps in d2l's order: zero_grad, backward, step under no_grad."""
    params, grads = _problem(3, 5)
    result = run_sgd(student, params, grads, 0.1, zero_grad=True)
    reference = [p.clone().requires_grad_(True) for p in params]
    optimizer = torch.optim.SGD(reference, lr=0.1)
    for step in grads:
        optimizer.zero_grad()
        sum((p * g).sum() for p, g in zip(reference, step)).backward()
        optimizer.step()
    compare_params(result["params"], [p.detach() for p in reference],
                   "five d2l-style steps vs torch.optim.SGD",
                   "zero_grad must reset every gradient (grad.zero_() or grad = None)")
