"""The ``rocketpost`` command line: a thin layer over the library.

Each sub-command module owns one noun (``flight``, ``eta``, ``reach``, ``network``, ...). Errors
raised on purpose (:class:`rocketpost.errors.RocketpostError`) and bad arguments become one line
on stderr and exit status 2; nothing a user types produces a traceback.
"""

from __future__ import annotations

import sys

import typer

try:  # Typer ≥ 0.20 vendors Click; older releases use the click package.
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from rocketpost.cli.output import fail
from rocketpost.errors import RocketpostError

__all__ = ["app", "main", "register_commands"]

app = typer.Typer(
    name="rocketpost",
    help="Plan, book and simulate one-hour worldwide delivery by reusable sea-landing rockets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_registered: list[bool] = []


def register_commands() -> None:
    """Attach every sub-command to :data:`app` (once)."""
    if _registered:
        return
    # Imported here so that each command module can import `app` helpers without cycles.
    from rocketpost.cli import commands

    commands.register(app)
    _registered.append(True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``rocketpost`` script."""
    register_commands()
    command = typer.main.get_command(app)
    try:
        # Without standalone mode Click returns a command's exit code instead of exiting.
        code = command.main(args=argv, prog_name="rocketpost", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as error:
        # A bare group (``rocketpost network``): show its help, as people expect.
        if error.ctx is not None:
            typer.echo(error.ctx.get_help())
        sys.exit(0)
    except click_exceptions.UsageError as error:
        # One line, as for every other bad input; the command's --help has the details.
        fail(error.format_message().replace("\n", " "))
    except click_exceptions.ClickException as error:
        fail(error.format_message().replace("\n", " "))
    except RocketpostError as error:
        fail(str(error))
    except FileNotFoundError as error:
        fail(f"{error.filename}: no such file")
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted")
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
