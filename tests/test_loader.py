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


def notebook_file(tmp_path, cells, name="hw1.ipynb"):
    """A v4 notebook of ``cells`` given as (cell_type, source) pairs."""
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": kind, "metadata": {}, "source": source, "id": f"c{i}",
                           **({"execution_count": None, "outputs": []} if kind == "code" else {})}
                          for i, (kind, source) in enumerate(cells)]}
    path = tmp_path / name
    path.write_text(json.dumps(notebook))
    return path


def test_a_python_file_is_one_chunk_named_after_the_file(tmp_path):
    path = tmp_path / "hw1.py"
    path.write_text(SOURCE)
    assert loader.load_chunks(path, "hw1") == [
        {"code": SOURCE, "filename": "hw1.py", "label": "hw1.py", "kind": "file"}]


def test_a_python_file_renamed_ipynb_is_one_chunk_with_a_note(tmp_path):
    path = tmp_path / "hw1.ipynb"
    path.write_text(SOURCE)
    assert loader.load_chunks(path, "hw1") == [
        {"code": SOURCE, "filename": "hw1.ipynb", "label": "hw1.ipynb", "kind": "file",
         "note": "this .ipynb file is Python source, not a notebook; graded as a .py file"}]


@pytest.mark.parametrize("name, advice", [
    ("hw1.py", "a Python file that size is not a homework solution"),
    ("hw1.ipynb", "clear the outputs (Edit > Clear all outputs) and submit again")])
def test_a_file_over_the_size_limit_is_refused_unread_with_advice(tmp_path, monkeypatch, name,
                                                                  advice):
    monkeypatch.setattr(loader.config, "MAX_SUBMISSION_BYTES", 2 << 20)
    path = tmp_path / name
    with open(path, "wb") as sparse:
        sparse.truncate(4 << 20)
    with pytest.raises(UsageError) as error:
        loader.load_chunks(path, "hw1")
    assert str(error.value) == f"{name}: 4 MiB is more than the 2 MiB a submission may have; {advice}"


@pytest.mark.parametrize("name", ["hw1.py", "hw1.ipynb"])
def test_a_file_exactly_at_the_size_limit_loads(tmp_path, monkeypatch, name):
    path = tmp_path / name
    path.write_text(SOURCE)
    monkeypatch.setattr(loader.config, "MAX_SUBMISSION_BYTES", len(SOURCE))
    [chunk] = loader.load_chunks(path, "hw1")
    assert chunk["code"] == SOURCE


def test_every_code_cell_is_a_chunk_labelled_with_its_cell_number(tmp_path):
    path = notebook_file(tmp_path, [("markdown", "x = 'prose'"), ("code", "a = 1"),
                                    ("raw", "b = 2"), ("code", "c = 3")])
    assert loader.load_chunks(path, "hw1") == [
        {"code": "a = 1", "filename": "hw1.ipynb cell 2", "label": "hw1.ipynb cell 2", "kind": "cell"},
        {"code": "c = 3", "filename": "hw1.ipynb cell 4", "label": "hw1.ipynb cell 4", "kind": "cell"}]


@pytest.mark.parametrize("text, error", [
    ('{"cells": 5}', "TypeError: 'int' object is not iterable"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
     "ValidationError: The notebook is invalid and is missing an expected key: cells")])
def test_json_that_is_not_a_notebook_names_what_nbformat_said(tmp_path, text, error):
    path = tmp_path / "hw1.ipynb"
    path.write_text(text)
    with pytest.raises(UsageError) as raised:
        loader.load_chunks(path, "hw1")
    assert str(raised.value) == f"hw1.ipynb is not a readable notebook ({error})"


def test_an_unreadable_notebook_message_is_cut_to_the_configured_length(tmp_path, monkeypatch):
    monkeypatch.setattr(loader.config, "MESSAGE_CHARS", 30)
    path = tmp_path / "hw1.ipynb"
    path.write_text('{"cells": 5}')
    with pytest.raises(UsageError) as raised:
        loader.load_chunks(path, "hw1")
    assert str(raised.value) == "hw1.ipynb is not a readable no"


def test_a_missing_path_and_an_unknown_suffix_say_what_to_give(tmp_path):
    with pytest.raises(UsageError) as missing:
        loader.load_chunks(tmp_path / "nope.py", "hw1")
    assert str(missing.value) == f"{tmp_path / 'nope.py'} does not exist; give a .py file, " \
                                 "a notebook or a folder"
    (tmp_path / "hw1.txt").write_text(SOURCE)
    with pytest.raises(UsageError) as unknown:
        loader.load_chunks(tmp_path / "hw1.txt", "hw1")
    assert str(unknown.value) == f"{tmp_path / 'hw1.txt'}: expected a .py file, " \
                                 "a .ipynb notebook or a folder"


def test_a_folder_grades_the_assignments_module_when_present(tmp_path):
    (tmp_path / "helpers.py").write_text("h = 1\n")
    (tmp_path / "hw1.py").write_text(SOURCE)
    assert [c["label"] for c in loader.load_chunks(tmp_path, "hw1")] == ["hw1.py"]
    (tmp_path / "hw1.py").unlink()
    notebook_file(tmp_path, [("code", "a = 1")])
    assert [c["label"] for c in loader.load_chunks(tmp_path, "hw1")] == ["hw1.ipynb cell 1"]


def test_a_folder_without_the_module_grades_every_py_file_but_tests(tmp_path):
    for name in ("b.py", "a.py", "test_a.py", "notes.txt"):
        (tmp_path / name).write_text(f"# {name}\n")
    assert [c["label"] for c in loader.load_chunks(tmp_path, "hw1")] == ["a.py", "b.py"]


def test_a_folder_named_like_a_py_file_is_searched_for_the_same_assignment(tmp_path):
    inner = tmp_path / "work.py"
    inner.mkdir()
    (inner / "other.py").write_text("o = 1\n")
    (inner / "hw1.py").write_text(SOURCE)
    assert [c["label"] for c in loader.load_chunks(tmp_path, "hw1")] == ["hw1.py"]


def test_a_folder_with_nothing_to_grade_says_so(tmp_path):
    (tmp_path / "test_hw1.py").write_text(SOURCE)
    with pytest.raises(UsageError) as raised:
        loader.load_chunks(tmp_path, "hw1")
    assert str(raised.value) == f"{tmp_path} holds no hw1.py and no other .py file to grade"


SHELL_NOTEBOOK = [("code", "!pip install x\nimport helper\ndef softmax(X):\n    return helper.h * X"),
                  ("code", "%%writefile helper.py\nh = 1\n"),
                  ("code", "train(softmax)"), ("markdown", "notes")]


def test_a_notebook_is_cut_to_what_grading_needs_with_written_files_first(tmp_path):
    path = notebook_file(tmp_path, SHELL_NOTEBOOK)
    chunks, problems = loader.load_submission(path, "hw1", {"softmax"})
    assert [(c["label"], c["kind"]) for c in chunks] == [
        ("hw1.ipynb cell 2 (%%writefile helper.py)", "writefile"), ("hw1.ipynb cell 1", "cell")]
    assert chunks[1]["code"] == "\nimport helper\ndef softmax(X):\n    return helper.h * X"
    assert problems == [{"where": "hw1.ipynb cell 1, hw1.ipynb cell 3", "type": "Skipped",
                         "message": "2 top-level statement(s) not needed for grading were not "
                                    "run (training loops, plots, downloads, tests)"}]


def test_a_full_notebook_runs_every_cell_behind_the_shell_stand_in(tmp_path):
    path = notebook_file(tmp_path, SHELL_NOTEBOOK)
    chunks, problems = loader.load_submission(path, "hw1", {"softmax"}, full=True)
    assert [c["kind"] for c in chunks] == ["stand_in", "writefile", "cell", "cell"]
    assert chunks[3]["code"] == "train(softmax)" and problems == []


def test_a_python_file_runs_whole_and_a_renamed_one_is_noted(tmp_path):
    source = "def softmax(X):\n    return X\n\n\ntrain(softmax)\n"
    (tmp_path / "hw1.py").write_text(source)
    assert loader.load_submission(tmp_path / "hw1.py", "hw1", {"softmax"}) == (
        [{"code": source, "filename": "hw1.py", "label": "hw1.py", "kind": "file"}], [])
    (tmp_path / "hw1.ipynb").write_text(source)
    chunks, notes = loader.load_submission(tmp_path / "hw1.ipynb", "hw1", {"softmax"})
    assert [c["code"] for c in chunks] == [source]
    assert notes == [{"where": "hw1.ipynb", "type": "NotANotebook", "message": "this .ipynb "
                      "file is Python source, not a notebook; graded as a .py file"}]


def test_a_notebook_without_code_cells_is_reported_empty(tmp_path):
    path = notebook_file(tmp_path, [("markdown", "# answers")])
    assert loader.load_submission(path, "hw1", {"softmax"}) == (
        [], [{"where": "hw1.ipynb", "type": "Empty", "message": "the submission has no code cells"}])


def test_a_folder_submission_grades_the_assignments_module(tmp_path):
    (tmp_path / "other.py").write_text("o = 1\n")
    (tmp_path / "hw1.py").write_text(SOURCE)
    chunks, notes = loader.load_submission(tmp_path, "hw1", {"softmax"})
    assert [c["label"] for c in chunks] == ["hw1.py"] and notes == []
