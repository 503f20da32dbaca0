"""Benchmarks: synthetic curricula of growing size, every build stage measured in a fresh process.

``scripts/bench`` (or ``python -m benchmark`` with ``scripts/`` on the Python path) writes
curricula of 10, 100 and 1000 modules (at 1000, by default, without the sites and full builds)
into a temporary folder and measures, per stage, the wall time, the CPU time (user + system of
the process and of its children) and the peak resident memory:

* ``load``, ``check``: reading and validating the repository;
* ``generate-<audience>``: the audience gate, page generation and writing the docs folder;
* ``mkdocs-<audience>``: MkDocs on those pages, as the build runs it (strict, plus the link check);
* ``pdf``: the PDF stage as the build runs it (print HTML, cache, parallel render);

and, in the same run, two baselines:

* ``mkdocs-plain-<audience>``: the ``mkdocs build`` command on the very pages the generator wrote;
* ``weasyprint-1proc``: the very same print HTML documents rendered one after the other by
  WeasyPrint in a single process (its peak memory is that of one renderer that never restarts);

then a cold full build, an incremental build after one word of one module changed, and a
rebuild without changes (which must render no PDF and run no MkDocs). Each measurement runs in
a new Python process, so peak memory (``ru_maxrss``) is per stage; the process does the stage's
prerequisites (e.g. loading the project) before the measurement starts. Results are the medians
of ``--repeat`` runs; they go to stdout as Markdown tables and to ``<out>/results.json``.

``--profile`` runs cProfile on a cold build of the repository itself and of the 100-module
curriculum, and on a single-process render of their PDFs, and reports where the time goes.

The benchmark calls the build's public stage functions only (:mod:`workshopkit.build`,
:mod:`workshopkit.pdf.build`, :class:`workshopkit.pdf.render.InProcess`); its modules:

* :mod:`.synth`: the synthetic curricula (and a copy of the repository's own);
* :mod:`.stages`: one measured stage, run in a child process;
* :mod:`.measure`: wall time, CPU time and peak memory of a stage, and the child processes;
* :mod:`.report`: medians, the summary of each size, the tables, the machine;
* :mod:`.profiling`: the ``--profile`` run;
* :mod:`.__main__`: the command line and the sequence of stages of each size.
"""

from __future__ import annotations

import sys

AUDIENCES = ("participant", "facilitator")


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)
