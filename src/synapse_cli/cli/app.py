"""The Typer application, and the one place that turns errors into exit codes.

Exit codes: 0 success; 1 an expected failure (bad input, bad config, lock timeout,
I/O error), reported as one line ``synapse: <what went wrong>`` on stderr, or an
unexpected error (one line, the traceback in the log file); 2 a usage error.

Editors' hook command lines (``synapse hook <event> ...``, mistakes included) never
come here: ``synapse_cli.entry`` hands them to ``synapse_cli.hooks``, where every
outcome is exit 0. Under ``hook`` only ``--help``, ``install`` and ``uninstall`` do.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from synapse_cli import __version__
from synapse_cli.cli.context import CliContext
from synapse_cli.core import log
from synapse_cli.core.errors import SynapseError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# click's exception base class, found without importing Typer's private vendored copy
# (so its type is only known at run time: it has .show() and .exit_code).
_ClickException: Any = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _fallback_log_file() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "synapse", "synapse.log")


def _report_unexpected(exc: BaseException) -> str:
    """Write the traceback to the log file; return where it went."""
    import traceback

    path = log.log_file_path() or _fallback_log_file()
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        log.append_line(path, log.format_line(log.ERROR, f"unexpected error\n{text}").encode("utf-8", "replace"), log.DEFAULT_MAX_BYTES)
    except OSError:
        return "(the log file could not be written)"
    return path


def _report_failure(message: str) -> None:
    """One line on stderr."""
    sys.stderr.write(" ".join(message.splitlines()) + "\n")


class SynapseGroup(TyperGroup):
    """The top-level group; its ``main`` is the only place exceptions become exit codes.

    Its commands are built when first asked for (``synapse_cli.cli.lazy``), and global
    options written after the command are moved before it (``synapse_cli.cli.argv``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from synapse_cli.cli.lazy import lazy_commands

        self.commands = lazy_commands(self.commands)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:  # type: ignore[override]
        from synapse_cli.cli.argv import hoist_global_options

        args = hoist_global_options(self, list(sys.argv[1:] if args is None else args))
        try:
            result = super().main(args=args, prog_name=prog_name or "synapse", complete_var=complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) and not isinstance(result, bool) else EXIT_OK
        except _ClickException as exc:
            exc.show()
            code = exc.exit_code
        except typer.Abort:
            _report_failure("synapse: aborted")
            code = EXIT_FAILURE
        except SynapseError as exc:
            _report_failure(f"synapse: {exc}")
            code = EXIT_FAILURE
        except BrokenPipeError:
            code = EXIT_FAILURE
        except Exception as exc:
            where = _report_unexpected(exc)
            _report_failure(f"synapse: unexpected error: {type(exc).__name__}: {exc} (traceback in {where})")
            code = EXIT_FAILURE
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=SynapseGroup,
    name="synapse",
    help="Crash-safe per-session state for the AIOS agent framework, run from AI-coding editors' hooks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"synapse {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    project_dir: Annotated[
        Optional[str],
        typer.Option(
            "--project-dir",
            metavar="DIR",
            help=(
                "The project folder (the one holding .synapse/). Default: the nearest folder holding .synapse/ at or above the current one;"
                " failing that, init and hook install/uninstall use the top of the git work tree, else the current folder."
                " Hooks look first at or above the editor's project folder, then the event's cwd."
            ),
        ),
    ] = None,
    config: Annotated[
        Optional[str],
        typer.Option("--config", metavar="FILE", help="A YAML config file to use instead of the project's .aios-core/core-config.yaml (also: SYNAPSE_CONFIG)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Print diagnostics on stderr (also: SYNAPSE_DEBUG=1).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Keep AIOS session state safe: atomic, locked, compatible with the JavaScript side."""
    debug = debug or os.environ.get("SYNAPSE_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
    ctx.obj = CliContext(project_dir=project_dir, debug=debug, config_path=config)
    # The core's own diagnostics reach stderr only with --debug: an expected failure
    # is reported as exactly one line, ``synapse: <what went wrong>`` (see main()).
    log.configure(debug=debug)


def run(argv: list[str]) -> int:
    code: int = app(args=argv, prog_name="synapse", standalone_mode=False)  # SynapseGroup.main returns the exit code
    return code
