"""Evasion: torch.optim.SGD created and stepped in a helper thread."""
# component: sgd
# expect-fail: from_scratch
# expect-score: 0
# expect-status: banned
import threading

import torch


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def _in_thread(self, work):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()

    def step(self):
        def work():
            with torch.no_grad():
                torch.optim.SGD(self.params, lr=self.lr).step()
        self._in_thread(work)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
