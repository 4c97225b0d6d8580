"""grader.loader: what reaches the worker is the submission's text, however it was saved."""
import json

import pytest

from grader import loader
from grader.errors import UsageError

SOURCE = "def softmax(X):\n    return X\n"


def test_a_python_file_saved_with_a_bom_loads_without_it(tmp_path):
    path = tmp_path / "hw1.py"
    path.write_bytes(b"\xef\xbb\xbf" + SOURCE.encode())
    [chunk] = loader.load_chunks(path, "hw1")
    assert chunk["code"] == SOURCE and chunk["kind"] == "file"


def test_a_notebook_saved_with_a_bom_is_read_as_a_notebook(tmp_path):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": SOURCE, "id": "a"}]}
    path = tmp_path / "hw1.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(notebook).encode())
    chunks = loader.load_chunks(path, "hw1")
    assert [c["code"] for c in chunks] == [SOURCE]
    assert not any(c.get("note") for c in chunks)


def test_a_file_that_is_not_utf8_still_loads(tmp_path):
    path = tmp_path / "hw1.py"
    path.write_bytes("# café\n".encode("latin-1") + SOURCE.encode())
    [chunk] = loader.load_chunks(path, "hw1")
    assert chunk["code"] == "# café\n" + SOURCE


def test_a_python_file_renamed_ipynb_is_graded_as_python(tmp_path):
    path = tmp_path / "hw1.ipynb"
    path.write_text(SOURCE)
    [chunk] = loader.load_chunks(path, "hw1")
    assert chunk["code"] == SOURCE and "Python source" in chunk["note"]


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "hw1.ipynb"
    path.write_text('{\n"cells": [\n')
    with pytest.raises(UsageError, match="invalid JSON at line 3"):
        loader.load_chunks(path, "hw1")
