"""The instructors' side of the grader: what grades a whole class and publishes it.

Batch grading (:mod:`.batch`, its scorer processes :mod:`.scorers`, the
per-submission leaf :mod:`.job`, Dask: :mod:`.cluster` and :mod:`.remote`),
reading an LMS download (:mod:`.submissions`, :mod:`.policy`), the gradebook
and its exports (:mod:`.gradebook`, :mod:`.exports`), Gradescope
(:mod:`.autograder`, :mod:`.gradescope_zip`), the student release
(:mod:`.release`), the assignment notebooks (:mod:`.notebook`), benchmarks
(``bench*``) and their commands (:mod:`.cli`).

A student release leaves this whole folder out, so nothing outside it may
import it: the one way in is :mod:`grader.dispatch`, which looks it up by
name.  ``.importlinter`` makes both rules a contract that ``make check`` runs.
"""
