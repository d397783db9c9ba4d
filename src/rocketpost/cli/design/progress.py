"""The designer's progress bar: one bar on stderr through the stages of a design, quiet with
``--json`` (stdout then holds the JSON document alone)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from rocketpost.cli.output import error_console

__all__ = ["StageBar", "stage_bar"]


class StageBar:
    """A bar whose steps are named stages (candidates, coverage, solve, ...); a sweep stage
    (frontier, sensitivity) counts its tasks as they finish."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self.bar, self.task = bar, task
        self.completed = 0

    def step(self, label: str) -> None:
        """Start the one-step stage ``label`` (the steps before it are done)."""
        self.bar.update(self.task, description=f"{label:<12}", completed=self.completed)
        self.completed += 1

    def stage(self, label: str) -> Callable[[int, int], None]:
        """Start a stage of several tasks: a ``progress(done, total)`` callback for it."""
        start = self.completed
        self.bar.update(self.task, description=f"{label:<12}", completed=start)

        def update(done: int, _total: int) -> None:
            self.completed = start + done
            self.bar.update(self.task, completed=self.completed)

        return update


@contextmanager
def stage_bar(quiet: bool, steps: int = 0) -> Iterator[StageBar]:
    """The bar of ``steps`` steps on stderr (transient: it disappears when done), disabled
    when ``quiet``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
        disable=quiet,
    ) as bar:
        yield StageBar(bar, bar.add_task("design", total=steps or None))
