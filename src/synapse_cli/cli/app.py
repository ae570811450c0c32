"""The Typer application, and the one place that turns errors into exit codes.

Exit codes: 0 success; 1 an expected failure (bad input, bad config, lock timeout,
I/O error), reported as one line ``synapse: <what went wrong>`` on stderr, or an
unexpected error (one line, the traceback in the log file); 2 a usage error. Under
``synapse hook`` every outcome is exit 0: a hook that exits 2 erases the user's prompt.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from synapse_cli import __version__
from synapse_cli.core import log
from synapse_cli.cli.context import CliContext
from synapse_cli.core.errors import SynapseError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# click's exception base class, found without importing Typer's private vendored copy.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_GLOBAL_OPTIONS_WITH_VALUE = ("--project-dir", "--config")


_HOOK_MANAGEMENT_COMMANDS = ("install", "uninstall")


def _command_words(args: list[str]) -> list[str]:
    """The command words, skipping options (and the values of the global ones)."""
    words = []
    index = 0
    while index < len(args):
        token = args[index]
        if token in _GLOBAL_OPTIONS_WITH_VALUE:
            index += 2
            continue
        if not token.startswith("-"):
            words.append(token)
        index += 1
    return words


def _is_editor_hook(args: list[str]) -> bool:
    """Whether an editor is running a hook: ``synapse hook <event>`` (not ``hook install``)."""
    words = _command_words(args)
    return bool(words) and words[0] == "hook" and (len(words) < 2 or words[1] not in _HOOK_MANAGEMENT_COMMANDS)


def _fallback_log_file() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "synapse", "synapse.log")


def _report_unexpected(exc: BaseException) -> str:
    """Write the traceback to the log file; return where it went."""
    import traceback

    path = log.log_file_path() or _fallback_log_file()
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        log._append(path, log._format(log.ERROR, f"unexpected error\n{text}").encode("utf-8", "replace"), log.DEFAULT_MAX_BYTES)
    except OSError:
        return "(the log file could not be written)"
    return path


def _option_value(args: list[str], name: str) -> str | None:
    value = None
    for index, token in enumerate(args):
        if token == name and index + 1 < len(args):
            value = args[index + 1]
        elif token.startswith(name + "="):
            value = token.split("=", 1)[1]
    return value


class _FailedHook:
    """What a hook that failed before running (a usage error) can still learn from its event."""

    def __init__(self, args: list[str]):
        from synapse_cli.hooks.runner import HOOK_MAX_LOCK_WAIT_SECONDS, detect_agent, event_session_and_cwd, read_event

        # The event is still unread on stdin: a short, bounded read tells which project
        # to log to and which agent expects an answer.
        received = read_event(0, timeout=min(0.5, HOOK_MAX_LOCK_WAIT_SECONDS))
        event = received.event or {}
        self.agent = _option_value(args, "--agent") or (detect_agent(event) if received.event else "claude")
        self.payload_cwd = event_session_and_cwd(self.agent, event)[1]


_failed_hook: _FailedHook | None = None


def _configure_hook_log(args: list[str]) -> None:
    """A hook's diagnostics go to the project's log file, and to stderr only when debugging."""
    global _failed_hook
    from synapse_cli.core.project import ProjectPaths, resolve_project_root

    if _failed_hook is None:
        _failed_hook = _FailedHook(args)
    debug = "--debug" in args or os.environ.get("SYNAPSE_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
    root = resolve_project_root(_option_value(args, "--project-dir"), for_hook=True, payload_cwd=_failed_hook.payload_cwd)
    paths = ProjectPaths(root)
    log.configure(file_path=paths.log_file if paths.is_initialised() else None, debug=debug)


def _answer_failed_hook() -> None:
    """Even a hook that could not run gives its agent the answer that lets the prompt through."""
    from synapse_cli.hooks.runner import _GO_ON

    answer = _GO_ON.get(_failed_hook.agent if _failed_hook else "", "")
    if answer:
        try:
            sys.stdout.write(answer)
            sys.stdout.flush()
        except (OSError, ValueError, AttributeError):
            pass


def _report_failure(message: str, under_hook: bool, args: list[str]) -> None:
    """One line on stderr; under ``hook`` only in the log (and on stderr when debugging)."""
    message = " ".join(message.splitlines())
    if under_hook:
        _configure_hook_log(args)
        log.warning(message)
    else:
        sys.stderr.write(message + "\n")


class SynapseGroup(TyperGroup):
    """The top-level group; its ``main`` is the only place exceptions become exit codes."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        under_hook = _is_editor_hook(args)
        try:
            result = super().main(args=args, prog_name=prog_name or "synapse", complete_var=complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) and not isinstance(result, bool) else EXIT_OK
        except _ClickException as exc:
            if under_hook:
                _configure_hook_log(args)
                log.warning(f"synapse hook: {exc.format_message()}")
                code = EXIT_FAILURE  # made 0 below, after answering the agent
            else:
                exc.show()
                code = exc.exit_code
        except typer.Abort:
            _report_failure("synapse: aborted", under_hook, args)
            code = EXIT_FAILURE
        except SynapseError as exc:
            _report_failure(f"synapse: {exc}", under_hook, args)
            code = EXIT_FAILURE
        except BrokenPipeError:
            code = EXIT_FAILURE
        except Exception as exc:
            if under_hook:
                _configure_hook_log(args)
            where = _report_unexpected(exc)
            _report_failure(f"synapse: unexpected error: {type(exc).__name__}: {exc} (traceback in {where})", under_hook, args)
            code = EXIT_FAILURE
        if under_hook:
            if code != EXIT_OK:
                _answer_failed_hook()
            code = EXIT_OK
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
        typer.Option("--project-dir", help="The project folder (the one holding .synapse/). Default: the nearest one at or above the current folder."),
    ] = None,
    config: Annotated[
        Optional[str],
        typer.Option("--config", help="A YAML config file to use instead of the project's .aios-core/core-config.yaml (also: SYNAPSE_CONFIG)."),
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


def _register() -> None:
    from synapse_cli.cli import config_cmd, doctor_cmd, hook_cmd, init_cmd, metrics_cmd, selftest_cmd, session_cmd, state_cmd

    app.command("init")(init_cmd.init)
    app.command("doctor")(doctor_cmd.doctor)
    app.command("selftest")(selftest_cmd.selftest)
    app.add_typer(hook_cmd.app, name="hook")
    app.add_typer(session_cmd.app, name="session")
    app.add_typer(state_cmd.app, name="state")
    app.add_typer(metrics_cmd.app, name="metrics")
    app.add_typer(config_cmd.app, name="config")


_register()


def run(argv: list[str]) -> int:
    return app(args=argv, prog_name="synapse", standalone_mode=False)
