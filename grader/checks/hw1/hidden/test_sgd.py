"""Hidden SGD check: graded, but feedback shows only its name and points.

Left out of student releases (``python -m grader release``).
"""
from grader.checks.hw1.test_sgd import LR, _problem, compare_params, run_sgd


def test_d2l_training_loop(student):
    """Five steps in d2l's order: zero_grad, backward, step under no_grad."""
    params, grads = _problem(3, 5)
    lr = LR["d2l_loop"]
    result = run_sgd(student, params, grads, lr, zero_grad=True)
    # torch.optim.SGD's update, written out: the optimizer would import
    # torch._dynamo into the scoring process (1.4 s of every batch scorer's start).
    reference = [p.clone() for p in params]
    for step in grads:
        for p, g in zip(reference, step):
            p.add_(g, alpha=-lr)
    compare_params(result["params"], reference,
                   "five d2l-style steps vs plain SGD (p -= lr * grad)",
                   "zero_grad must reset every gradient (grad.zero_() or grad = None)",
                   params, grads, lr, zero_grad=True)
