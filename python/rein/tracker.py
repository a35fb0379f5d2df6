"""Experiment tracking from any Python script, into the same SQLite file as ``rein train``:

    with rein.tracker.start_run("runs.db", name="my-run", params={"lr": 3e-4}) as run:
        for i in range(100):
            run.log({"loss": 1.0 / (i + 1)}, step=i)
        run.log_artifact("model.pt", kind="checkpoint")

The run shows in ``rein runs list`` and the dashboard while it is written. Metrics are buffered
and committed by rein's native writer thread, which runs without the GIL, in batches of one
SQLite transaction each: a process killed with ``kill -9`` leaves every committed batch and the
run shows as crashed, never as running. Leaving the ``with`` block through an exception marks the
run failed (``KeyboardInterrupt``: interrupted) with the exception as its error.
"""
from __future__ import annotations

import json
import os
import sys

from . import _rein

__all__ = ["Run", "start_run"]


class Run:
    """A run being written; create it with :func:`start_run`."""

    def __init__(self, native):
        self._run = native
        self._step = 0

    @property
    def id(self) -> int:
        return self._run.id()

    @property
    def name(self) -> str:
        return self._run.name()

    @property
    def active(self) -> bool:
        return self._run.active

    def log(self, metrics: dict, step: int | None = None):
        """Logs numbers under their names at ``step`` (the global env step; without one, the
        previous step + 1). Costs a buffer append per value; the disk is written elsewhere."""
        if step is None:
            step = self._step
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise _rein.InvalidArgument(f"log: step must be a non-negative int, got {step!r}")
        if not isinstance(metrics, dict):
            raise _rein.InvalidArgument(f"log: metrics must be a dict, got {type(metrics).__name__}")
        self._run.log(metrics, step)
        self._step = step + 1

    def log_params(self, params: dict):
        """Hyperparameters (bool, int, float or str); a key logged twice keeps the last value."""
        self._run.log_params(dict(params))

    def add_tag(self, tag: str):
        self._run.add_tag(tag)

    def log_artifact(self, path, kind: str = "file", step: int | None = None):
        """Records a file the run produced (its absolute path; the file is not copied)."""
        self._run.add_artifact(kind, os.path.abspath(os.fspath(path)), step)

    def set_summary(self, summary):
        """Free-form summary shown by ``rein runs show`` (a dict is stored as JSON)."""
        self._run.set_summary(summary if isinstance(summary, str) else json.dumps(summary))

    def flush(self):
        """Waits until everything logged so far is committed."""
        self._run.flush()

    def finish(self, status: str = "finished", error: str = ""):
        """Ends the run: ``"finished"``, ``"failed"`` (with ``error``) or ``"interrupted"``."""
        self._run.finish(status, error)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self._run.active:
            return False
        if exc_type is None:
            self.finish("finished")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish("interrupted", "KeyboardInterrupt")
        else:
            self.finish("failed", f"{exc_type.__name__}: {exc}")
        return False


def start_run(db: str = "rein.db", *, name: str = "", params: dict | None = None,
              experiment: str = "default", tags=(), algorithm: str = "", env: str = "",
              seed: int | None = None) -> Run:
    """Creates a run in ``db`` (created if missing) and returns it, ready to log."""
    command = " ".join([os.path.basename(sys.executable)] + sys.argv)
    native = _rein._Run(os.fspath(db), name, experiment, algorithm, env, seed, dict(params or {}),
                        list(tags), command)
    return Run(native)
