"""The native operator watch (``opwatch.cpp``): built once by ``make install``.

``python -m grader.native`` compiles it with torch's own extension builder
into ``grader/native/build/`` (about a minute, needs a C++ compiler).
:func:`load` imports the built library without compiling anything, so a
worker never runs a compiler; where it is missing (no compiler on the
machine) the watch falls back to Python's thread-local modes and says so.
"""
import importlib.machinery
import importlib.util
from pathlib import Path

NAME = "grader_opwatch"
SOURCE = Path(__file__).resolve().parent / "opwatch.cpp"
BUILD_DIR = Path(__file__).resolve().parent / "build"


def library_path() -> Path:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[-1]  # ".so"
    return BUILD_DIR / f"{NAME}{suffix}"


def build(verbose: bool = False) -> Path:
    """Compile the extension for this torch (slow: run from ``make install``)."""
    from torch.utils.cpp_extension import load
    BUILD_DIR.mkdir(exist_ok=True)
    load(NAME, sources=[str(SOURCE)], build_directory=str(BUILD_DIR), verbose=verbose,
         extra_cflags=["-O2"])
    return library_path()


def load_built():
    """The compiled module, or the reason it cannot be used."""
    path = library_path()
    if not path.exists():
        return None, f"{path.name} is not built (run `make install`)"
    try:
        import torch  # noqa: F401 - the library links against libtorch
        spec = importlib.util.spec_from_file_location(NAME, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module, ""
    except (ImportError, OSError) as exc:
        return None, f"{path.name} does not load ({exc}); rebuild with `make install`"
