"""The from-scratch watch catches banned built-ins however they are reached."""
import importlib

import torch
import torch.nn.functional as F

from grader import scratch

SOFTMAX_BANS = scratch.BanList(["torch.nn.functional.softmax", "torch.softmax",
                                "torch.Tensor.softmax", "aten::_softmax"])


def used(bans, fn):
    hits = set()
    with scratch.watch(bans, hits):
        fn()
    return hits


def test_direct_call_is_seen():
    assert "torch.nn.functional.softmax" in used(SOFTMAX_BANS, lambda: F.softmax(torch.ones(2, 2), 1))


def test_aliases_getattr_importlib_and_eval_are_seen():
    x = torch.ones(2, 2)
    alias = getattr(importlib.import_module("torch.nn.functional"), "soft" + "max")
    assert used(SOFTMAX_BANS, lambda: alias(x, 1))
    assert used(SOFTMAX_BANS, lambda: eval("x.softmax(1)", {"x": x}))
    assert used(SOFTMAX_BANS, lambda: torch.ops.aten._softmax(x, 1, False))


def test_allowed_code_is_not_flagged():
    x = torch.ones(2, 2)
    assert not used(SOFTMAX_BANS, lambda: x.exp() / x.exp().sum(1, keepdim=True))


def test_packages_are_watched_by_code_location():
    bans = scratch.BanList(["torch.optim"])
    p = torch.nn.Parameter(torch.ones(2))
    assert used(bans, lambda: torch.optim.SGD([p], lr=0.1)) == {"torch.optim"}
    assert not used(bans, lambda: p.detach() * 2)


def test_watch_restores_previous_state():
    x = torch.ones(2, 2)
    used(SOFTMAX_BANS, lambda: x + 1)
    hits = set()
    F.softmax(x, 1)  # outside any watch: nothing recorded anywhere
    assert hits == set()
