"""Correct code that reads its own source must load: ``@torch.jit.script`` compiles a
function from the text ``inspect.getsource`` returns.

The worker compiles each submission chunk from a string under the submission's file
name, which does not exist inside the box; unless the worker registers each chunk's
text in ``linecache`` (``grader/box/worker.py``), ``inspect`` finds no source, the
decorator raises ``OSError`` at load time and the component scores 0 as "not loaded"
(a false reject).
"""

SCRIPTED_RELU = '''import torch


@torch.jit.script
def relu(X):
    return torch.clamp(X, min=0.0)
'''


def test_a_torchscript_relu_keeps_full_marks(grade, tmp_path):
    path = tmp_path / "hw1.py"
    path.write_text(SCRIPTED_RELU)
    result, proc = grade(path, "hw1", "--only", "relu")
    relu = next(c for c in result["components"] if c["name"] == "relu")
    assert not result["load_problems"], result["load_problems"]
    assert relu["score"] == relu["max_score"], relu
