"""A stand-in for the ``d2l`` package inside grading workers.

Students' notebooks say ``from d2l import torch as d2l``; the real package pins
ancient numpy/torch and downloads data.  This shim gives the pieces graded
code relies on (``add_to_class``, ``HyperParameters``, ``Module``,
``Classifier``, ``SGD``, tensor aliases) and makes the rest harmless
(plotting does nothing; downloads raise a clear error).
"""
