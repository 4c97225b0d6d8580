"""The subset of ``d2l.torch`` (d2l 1.0.3) that graded definitions use."""
import inspect
import time

import torch
from torch import nn
from torch.nn import functional as F  # noqa: F401 - notebooks use d2l.F

# Tensor aliases that d2l's multi-framework code calls (d2l.exp, d2l.reduce_sum...).
exp, log, tanh, sin, cos, sinh, cosh = torch.exp, torch.log, torch.tanh, torch.sin, torch.cos, torch.sinh, torch.cosh
ones, zeros, ones_like, zeros_like = torch.ones, torch.zeros, torch.ones_like, torch.zeros_like
tensor, arange, linspace, meshgrid = torch.tensor, torch.arange, torch.linspace, torch.meshgrid
matmul, stack, concat, abs, eye, normal, rand = (torch.matmul, torch.stack, torch.cat, torch.abs,
                                                 torch.eye, torch.normal, torch.rand)
float32, int32 = torch.float32, torch.int32


def reduce_sum(x, *args, **kwargs):
    return x.sum(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    return x.mean(*args, **kwargs)


def argmax(x, *args, **kwargs):
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    return x.type(*args, **kwargs)


def numpy(x, *args, **kwargs):
    return x.detach().numpy(*args, **kwargs)


def size(x, *args, **kwargs):
    return x.numel(*args, **kwargs)


def reshape(x, *args, **kwargs):
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    return x.to(*args, **kwargs)


def transpose(x, *args, **kwargs):
    return x.t(*args, **kwargs)


def add_to_class(Class):
    """Register the decorated function as a method of ``Class`` (d2l's pattern)."""
    def wrapper(obj):
        setattr(Class, obj.__name__, obj)
    return wrapper


class HyperParameters:
    def save_hyperparameters(self, ignore=()):
        """Store the caller's arguments as attributes, as d2l does."""
        frame = inspect.currentframe().f_back
        _, _, _, local_vars = inspect.getargvalues(frame)
        self.hparams = {k: v for k, v in local_vars.items()
                        if k not in set(ignore) | {"self"} and not k.startswith("_")}
        for k, v in self.hparams.items():
            setattr(self, k, v)


class ProgressBoard(HyperParameters):
    """Plotting is switched off while grading."""

    def __init__(self, *args, **kwargs):
        pass

    def draw(self, *args, **kwargs):
        pass


class Module(nn.Module, HyperParameters):
    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.board = ProgressBoard()

    def loss(self, y_hat, y):
        raise NotImplementedError

    def forward(self, X):
        assert hasattr(self, "net"), "Neural network is defined"
        return self.net(X)

    def plot(self, key, value, train):
        pass

    def training_step(self, batch):
        loss = self.loss(self(*batch[:-1]), batch[-1])
        return loss

    def validation_step(self, batch):
        loss = self.loss(self(*batch[:-1]), batch[-1])

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)


class Classifier(Module):
    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])

    def accuracy(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        preds = Y_hat.argmax(axis=1).type(Y.dtype)
        compare = (preds == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare

    def loss(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        Y = Y.reshape((-1,))
        return F.cross_entropy(Y_hat, Y, reduction="mean" if averaged else "none")


class DataModule(HyperParameters):
    def __init__(self, root="../data", num_workers=4):
        self.save_hyperparameters()


class SGD(HyperParameters):
    """d2l's own minibatch SGD (d2l.SGD)."""

    def __init__(self, params, lr):
        self.save_hyperparameters()

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()


class _NoDownloads:
    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} downloads data, which the grader does not do; "
                           "graded code must not depend on it")


class FashionMNIST(_NoDownloads, DataModule):
    pass


class Trainer(HyperParameters):
    def __init__(self, max_epochs=1, num_gpus=0, gradient_clip_val=0):
        self.save_hyperparameters()

    def fit(self, model, data):
        raise RuntimeError("d2l.Trainer.fit is not run while grading")


class Timer:
    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self.tik = time.time()

    def stop(self):
        self.times.append(time.time() - self.tik)
        return self.times[-1]


def use_svg_display():
    pass


def set_figsize(figsize=(3.5, 2.5)):
    pass


def plot(*args, **kwargs):
    pass


def cpu():
    return torch.device("cpu")


def gpu(i=0):
    return torch.device(f"cuda:{i}")


def num_gpus():
    return torch.cuda.device_count()


def try_gpu(i=0):
    return gpu(i) if num_gpus() >= i + 1 else cpu()
