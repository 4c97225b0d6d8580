# Set-up: run this cell first. Then `grader.check("softmax")` in any cell grades the
# definitions you have run, with the checks of `make test`, and shows the result below.
import sys
if "google.colab" in sys.modules:  # Colab: install the grader from the course's repository
    %pip install --quiet "git+https://github.com/@REPO@"
else:  # Jupyter, VS Code: the grader of the repository this notebook is in
    import pathlib
    _here = pathlib.Path.cwd().resolve()
    sys.path.insert(0, str(next((p for p in [_here, *_here.parents]
                                 if (p / "pyproject.toml").is_file()), _here)))
import grader
