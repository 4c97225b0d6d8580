"""Calls torch.nn.functional.conv2d instead of im2col + matmul."""
# component: conv2d
# expect-fail: from_scratch


def conv2d(x, W, b=None, stride=1, pad=0):
    return torch.nn.functional.conv2d(x, W, b, stride=stride, padding=pad)
