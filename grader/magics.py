"""IPython syntax in notebook cells, turned into Python the worker can run.

Students write Colab and Jupyter notebooks: ``!pip install d2l``,
``files = !ls``, ``%matplotlib inline``, ``%%time``, ``%%writefile
helpers.py``.  None of that is Python, and one such line used to make its
whole cell a syntax error, so the cell's imports and definitions were lost.

* line magics and shell escapes go through IPython's own transformer (the
  one a kernel uses), which turns them into ``get_ipython()`` calls; the
  worker gets a stand-in whose calls do nothing (a shell command's output is
  an empty list): grading runs no shell and no magic;
* ``%%time``, ``%%timeit`` and ``%%capture`` cells keep their body, which is
  Python;
* ``%%writefile NAME`` (``-a`` appends) becomes a chunk that writes the file
  into the worker's folder, and such chunks run before every other chunk, so
  ``from helpers import f`` finds the file;
* other cell magics (``%%bash``, ``%%html``...) are dropped.

Without IPython installed (it comes with ipykernel), lines starting with
``!`` or ``%`` become ``pass``, as before.
"""
import shlex

PYTHON_CELL_MAGICS = ("time", "timeit", "capture")
# The set-up cell of a released notebook imports the grader for grader.check();
# that import is not the student's code (the tamper scan would flag it).
NOTEBOOK_SETUP_LINES = ("import grader", "from grader import check")
WRITEFILE = "writefile"

# Defined in the worker's namespace when a kept chunk calls get_ipython().
STAND_IN = '''\
class _GradingShell:
    """IPython's shell while grading: magics and shell commands do nothing."""
    def getoutput(self, *args, **kwargs):
        return []
    def system(self, *args, **kwargs):
        return 0
    def __getattr__(self, name):
        return lambda *args, **kwargs: None
def get_ipython():
    return _GradingShell()
'''


def cell_chunks(source: str, label: str) -> list[dict]:
    """A notebook cell as chunks of Python: none, one of code, or one writing a file."""
    first, _, body = source.lstrip("\n").partition("\n")
    if first.lstrip().startswith("%%"):
        words = first.strip()[2:].split(maxsplit=1)
        name, argument = (words + ["", ""])[:2] if words else ("", "")
        if name == WRITEFILE:
            return _writefile(argument, body, label)
        if name not in PYTHON_CELL_MAGICS:
            return []
        source = "\n" + body     # the first line stays, as a blank, so line numbers hold
    source = "\n".join(_without_setup(line) for line in source.split("\n"))
    return [{"code": to_python(source), "filename": label, "label": label, "kind": "cell"}]


def _without_setup(line: str) -> str:
    stripped = line.strip()
    if stripped in NOTEBOOK_SETUP_LINES:
        return line[:len(line) - len(line.lstrip())] + "pass"
    return line


def to_python(source: str) -> str:
    """Line magics and shell escapes as ``get_ipython()`` calls (IPython's transformer)."""
    if not any(mark in source for mark in ("!", "%", "?")):
        return source
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return "\n".join(_neutral(line) for line in source.splitlines())
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython's own parsing failed: the cell stays as it is
        return source


def uses_shell(chunks: list[dict]) -> bool:
    return any("get_ipython()" in chunk["code"] for chunk in chunks)


def stand_in_chunk() -> dict:
    return {"code": STAND_IN, "filename": "(grader: IPython stand-in)",
            "label": "IPython stand-in", "kind": "stand_in"}


def _writefile(argument: str, body: str, label: str) -> list[dict]:
    try:
        words = shlex.split(argument)
    except ValueError:
        words = argument.split()
    append = "-a" in words or "--append" in words
    names = [w for w in words if not w.startswith("-")]
    if len(names) != 1:
        return []
    mode = "a" if append else "w"
    code = (f"with open({names[0]!r}, {mode!r}, encoding='utf-8') as _writefile:\n"
            f"    _writefile.write({body!r})\n")
    return [{"code": code, "filename": label, "label": f"{label} (%%writefile {names[0]})",
             "kind": WRITEFILE}]


def _neutral(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("!", "%")):
        return line[:len(line) - len(stripped)] + "pass"
    return line
