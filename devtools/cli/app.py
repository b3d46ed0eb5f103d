"""`kinerja`: one command for operators. Each failure is one line on stderr and a non-zero exit."""

import os
import sys

import typer

from . import dlq, keys, launch, rescore, status, submit, tail
from .common import reported

app = typer.Typer(
    name="kinerja",
    help="Kinerja for operators: start the platform locally, feed it, watch it, repair it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command()(reported(launch.run))
app.command()(reported(launch.stack))
app.command()(reported(submit.submit))
app.command()(reported(tail.tail))
app.add_typer(dlq.app, name="dlq")
app.command()(reported(rescore.rescore))
app.add_typer(keys.app, name="keys")
app.command()(reported(status.status))


def main() -> None:
    try:
        app(prog_name="kinerja")
    except Exception as exc:  # a bug, not the operator's input: still one line, the traceback on request
        if os.environ.get("KINERJA_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (KINERJA_DEBUG=1 shows where)", file=sys.stderr)
        sys.exit(70)
