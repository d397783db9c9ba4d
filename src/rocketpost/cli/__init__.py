"""The ``rocketpost`` command line: a thin layer over the library.

Each sub-command module owns one noun (``flight``, ``eta``, ``reach``, ``network``, ...). Errors
raised on purpose (:class:`rocketpost.errors.RocketpostError`) and bad arguments become one line
on stderr and exit status 2; nothing a user types produces a traceback.
"""

from __future__ import annotations

import sys

import click
import typer

from rocketpost.cli.output import fail
from rocketpost.errors import RocketpostError

__all__ = ["app", "main"]

app = typer.Typer(
    name="rocketpost",
    help="Plan, book and simulate one-hour worldwide delivery by reusable sea-landing rockets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported here so that each command module can import `app` helpers without cycles.
    from rocketpost.cli import commands

    commands.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``rocketpost`` script."""
    _register()
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="rocketpost", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted")
    except click.exceptions.UsageError as error:
        # One line, as for every other bad input; Click's own multi-line help is not needed here.
        fail(error.format_message().replace("\n", " "))
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except RocketpostError as error:
        fail(str(error))
    except FileNotFoundError as error:
        fail(f"{error.filename}: no such file")
    except KeyboardInterrupt:
        fail("interrupted")
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()

