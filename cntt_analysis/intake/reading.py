"""A round's submissions read while the caller goes on: `start_reading` starts the reading
workers at once and a thread of this process feeds them, so that `cntt score` imports
pandas and loads the registry while the files are read, instead of before (the imports
are a fifth of a 500-file run).

This module is imported before pandas is: it stays as lean as `intake.workbook`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.rounds import Round
from cntt_analysis.intake.workbook import Submission, read_round_files


class Reading:
    """A round's submissions being read in the background; `result()` waits for them.

    Used as a context manager, leaving the block by an error stops the reading (its workers
    are killed) so that a failure found meanwhile (a broken registry) is told at once."""

    def __init__(self, rnd: Round, progress: bool | None = None):
        self.round = rnd
        self.paths = rnd.submissions()
        self._stop = threading.Event()
        self._subs: list[Submission] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(progress,),
                                        name="cntt-reading", daemon=True)
        self._thread.start()

    def _read(self, progress: bool | None) -> None:
        try:
            self._subs = read_round_files(self.paths, self.round.rubric, self.round.year,
                                          progress=progress, stop=self._stop)
        except BaseException as exc:  # raised again in the caller's thread, by `result`
            self._error = exc

    def result(self) -> tuple[list[Path], list[Submission]]:
        """The round's files and their submissions, in the same order, once all are read.
        One that looks like the inspectors' file (found as it is read) stays a submission:
        only the IT Centre makes a file the inspection file (its name, or round.yaml), so it
        is reported, not applied."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._subs is None:
            raise RuntimeError("Reading.result() is given once")
        subs = self._subs
        for sub in subs:
            if sub.inspection:
                sub.issues.append(make_issue("inspection_candidate", year=sub.year,
                                             file=sub.file, file_name=sub.file))
        self._subs = None  # the caller holds them now: not kept twice
        return self.paths, subs

    def cancel(self) -> None:
        """Stop reading and wait until the workers are gone."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is not None:
            self.cancel()


def start_reading(rnd: Round, progress: bool | None = None) -> Reading:
    """Start reading `rnd`'s submissions (`Round.submissions`) in the background."""
    return Reading(rnd, progress)
