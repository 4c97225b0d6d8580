"""Correct SGD that carries d2l's HyperParameters inline (pasted when `pip install d2l`
fails in Colab): it walks one frame up with inspect.currentframe().f_back."""
# component: sgd
# expect: full
import inspect

import torch


class HyperParameters:
    def save_hyperparameters(self, ignore=[]):
        """Save function arguments into class attributes."""
        frame = inspect.currentframe().f_back
        _, _, _, local_vars = inspect.getargvalues(frame)
        self.hparams = {k: v for k, v in local_vars.items()
                        if k not in set(ignore + ['self']) and not k.startswith('_')}
        for k, v in self.hparams.items():
            setattr(self, k, v)


class SGD(HyperParameters):
    def __init__(self, params, lr):
        self.save_hyperparameters()
        self.params = list(params)

    def step(self):
        with torch.no_grad():
            for param in self.params:
                if param.grad is not None:
                    param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
