"""F.max_pool2d reached through importlib + getattr with a built-up name, to dodge a ban list."""
# component: max_pool2d
# expect-fail: from_scratch
import importlib


def max_pool2d(x, kernel_size, stride=None, pad=0):
    functional = importlib.import_module("torch.nn." + "functional")
    pool = getattr(functional, "max_" + "pool2d")
    return pool(x, kernel_size, stride, padding=pad)
