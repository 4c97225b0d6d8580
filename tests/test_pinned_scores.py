"""The pinned-score comparison itself fails on what the header checks do not see."""
import json

import pytest

from pinned_scores import check_pinned, observed


def _row(softmax=9, relu=6, failed=("numerically_stable",)):
    checks = [{"name": "numerically_stable", "passed": "numerically_stable" not in failed,
               "status": "failed" if "numerically_stable" in failed else "passed"},
              {"name": "rows_sum_to_one", "passed": "rows_sum_to_one" not in failed,
               "status": "failed" if "rows_sum_to_one" in failed else "passed"},
              {"name": "gpu_parity", "passed": False, "status": "skipped"}]
    return {"result": {"components": [{"name": "softmax", "score": softmax, "checks": checks},
                                      {"name": "relu", "score": relu, "checks": []}]}}


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "expected.json"
    path.write_text(json.dumps({"hw1/m": observed(_row(), "softmax")}))
    return path


def test_the_pinned_row_passes(table):
    check_pinned(table, "hw1/m", _row(), "softmax")


@pytest.mark.parametrize("row", [_row(relu=5), _row(softmax=8),
                                 _row(failed=("numerically_stable", "rows_sum_to_one"))],
                         ids=["extra deduction elsewhere", "other score", "another failed check"])
def test_any_difference_fails(table, row):
    with pytest.raises(AssertionError, match="hw1/m: graded"):
        check_pinned(table, "hw1/m", row, "softmax")


def test_a_row_missing_from_the_table_fails_and_says_what_to_add(table):
    with pytest.raises(AssertionError, match='add: "hw1/new": {"scores"'):
        check_pinned(table, "hw1/new", _row(), "softmax")
