"""A text progress bar for long commands: redrawn in place on a terminal, a line every tenth of
the way otherwise (logs, CI)."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, total: int, stream: TextIO, label: str = "records") -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.label = label
        self.started = time.monotonic()
        self.interactive = getattr(stream, "isatty", lambda: False)()
        self.last_tenth = -1

    def update_from(self, summary) -> None:
        """For callbacks that report a summary with a `total` of records done."""
        self.update(summary.total)

    def update(self, done: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        filled = WIDTH * done // self.total
        line = (
            f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{self.total} {self.label} "
            f"({done / elapsed:,.0f}/s)"
        )
        if self.interactive:
            self.stream.write("\r" + line)
            if done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
            return
        tenth = 10 * done // self.total
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            self.stream.write(line + "\n")
