"""IPython syntax in notebooks: converted by IPython's transformer, never a lost cell."""
import nbformat

from grader import magics


def _code(source: str) -> str:
    [chunk] = magics.cell_chunks(source, "nb cell 1")
    return chunk["code"]


def test_shell_assignment_keeps_the_rest_of_the_cell():
    code = _code("import torch\nfiles = !ls\nx = 1")
    assert "import torch" in code and "files = get_ipython().getoutput('ls')" in code
    compile(code, "cell", "exec")   # the whole cell is Python now


def test_line_magics_and_escapes_become_calls_that_keep_line_numbers():
    code = _code("!pip install d2l\n%matplotlib inline\nimport torch\ny = 2")
    assert code.splitlines()[2:4] == ["import torch", "y = 2"]
    compile(code, "cell", "exec")


def test_python_cell_magics_keep_their_body_and_others_are_dropped():
    assert _code("%%time\ndef f():\n    return 1\n").splitlines()[1] == "def f():"
    assert magics.cell_chunks("%%bash\necho hi\n", "nb cell 1") == []
    assert magics.cell_chunks("%%html\n<b>x</b>\n", "nb cell 1") == []


def test_writefile_becomes_a_chunk_that_writes_the_file(tmp_path, monkeypatch):
    [chunk] = magics.cell_chunks("%%writefile helpers.py\ndef h():\n    return 3\n", "c")
    assert chunk["kind"] == magics.WRITEFILE
    monkeypatch.chdir(tmp_path)
    exec(chunk["code"], {})
    assert (tmp_path / "helpers.py").read_text() == "def h():\n    return 3\n"
    [append] = magics.cell_chunks("%%writefile -a helpers.py\nX = 1\n", "c")
    exec(append["code"], {})
    assert (tmp_path / "helpers.py").read_text().endswith("X = 1\n")
    assert magics.cell_chunks("%%writefile\nno name\n", "c") == []


def test_the_stand_in_does_nothing(capsys):
    namespace = {}
    exec(magics.STAND_IN, namespace)
    shell = namespace["get_ipython"]()
    assert shell.getoutput("ls") == [] and shell.system("rm -rf /") == 0
    assert shell.run_line_magic("matplotlib", "inline") is None


def test_a_colab_notebook_with_magics_grades_in_full(tmp_path, grade):
    cells = ["!pip install d2l==1.0.3\n%matplotlib inline",
             "import torch\nfiles = !ls\nprint(len(files))",
             "%%writefile helpers.py\nimport torch\n\ndef stable_exp(X):\n"
             "    return torch.exp(X - X.max(dim=1, keepdim=True).values)\n",
             "%%bash\necho this is not python",
             "from helpers import stable_exp",
             "%%time\ndef softmax(X):\n    E = stable_exp(X)\n"
             "    return E / E.sum(dim=1, keepdim=True)\n"]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    path = tmp_path / "hw1.ipynb"
    nbformat.write(notebook, path)
    result, _ = grade(path, "hw1", "--only", "softmax")
    [softmax] = result["components"]
    assert softmax["score"] == softmax["max_score"] == 10, softmax
    assert not [p for p in result["load_problems"] if p["type"] not in ("Skipped",)]
