"""Correct code in a notebook that sets float64 as torch's default dtype and anomaly
detection at the top: every component is still judged on its own code."""
# component: relu
# expect: full
import torch

torch.set_default_dtype(torch.float64)
torch.autograd.set_detect_anomaly(True)
torch.set_num_threads(2)
