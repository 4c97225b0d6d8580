"""GPU parity, run where CUDA exists (`make test-gpu`); skipped with the reason elsewhere."""
import json

import pytest
import torch

from conftest import REFERENCE, run_grader

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]

CPU_MASK_DROPOUT = '''
def dropout(x, dropout_ratio=0.5, training=True):
    if not training:
        return x
    mask = (torch.rand(x.shape) > dropout_ratio).to(x.dtype)   # d2l's CPU mask
    return mask * x / (1.0 - dropout_ratio)
'''
LABEL_OUT_OF_RANGE = '''
def cross_entropy(y_hat, y):
    rows = torch.arange(len(y_hat), device=y_hat.device)
    return -torch.log(y_hat[rows, y + 100]).mean()   # out of range: a device-side assert
'''


def parity(result: dict) -> dict:
    return {c["name"]: next(k for k in c["checks"] if k["name"] == "gpu_parity")
            for c in result["components"]}


@pytest.mark.parametrize("assignment", ["hw1", "hw2"])
def test_reference_passes_every_parity_check(assignment, tmp_path):
    out = tmp_path / "r.json"
    proc = run_grader("grade", REFERENCE / f"{assignment}.py", "--assignment", assignment,
                      "--json", out)
    result = json.loads(out.read_text())
    assert {n: c["status"] for n, c in parity(result).items()} == \
        {n: "passed" for n in parity(result)}, proc.stdout
    assert result["score"] == result["max_score"]


def test_cpu_only_dropout_fails_on_the_gpu(tmp_path):
    path = tmp_path / "hw2.py"
    path.write_text((REFERENCE / "hw2.py").read_text() + CPU_MASK_DROPOUT)
    out = tmp_path / "r.json"
    run_grader("grade", path, "--assignment", "hw2", "--only", "dropout", "--json", out)
    check = parity(json.loads(out.read_text()))["dropout"]
    assert check["status"] == "failed" and "device" in check["message"]


def test_device_side_assert_fails_only_its_check(tmp_path):
    path = tmp_path / "hw1.py"
    path.write_text((REFERENCE / "hw1.py").read_text() + LABEL_OUT_OF_RANGE)
    out = tmp_path / "r.json"
    run_grader("grade", path, "--assignment", "hw1", "--json", out)
    result = json.loads(out.read_text())
    assert parity(result)["cross_entropy"]["status"] == "failed"
    for name in ("softmax", "relu", "sgd", "mlp_scratch"):
        assert parity(result)[name]["status"] == "passed", name
