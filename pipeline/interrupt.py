"""Ctrl-C: at any moment, one line, exit 130, no traceback, only whole files.

The command takes SIGINT over as the first thing it does (``run``, called by
the entry point before anything else is imported). The first Ctrl-C raises
``KeyboardInterrupt`` where the command is, once: from then on SIGINT is
ignored, so that the unwinding — workers finishing the file they are writing,
the manifest saved — is not cut short by a second one. ``run`` then prints the
one line and exits with 130, whatever was under way: importing, starting
workers, writing or renaming outputs, saving the manifest, exiting. Either way
``run`` ends the process itself (``_end``), without the interpreter's
teardown.

Outputs are whole whatever the moment because they are written to a temporary
name and renamed (``writers.output``). Child processes must not die half-way
either: they are started with SIGINT blocked (``held``) and ignore it as their
first act (``ignore_in_child``); a Ctrl-C that comes meanwhile stays pending
for the parent and is acted on as soon as the children are started.

Python ignores an exception raised where nothing can catch it — a weakref
callback, a ``__del__``, as the import system runs them — and prints "Exception
ignored in …" instead. A Ctrl-C landing there is not lost: ``sys.unraisablehook``
takes it, prints nothing, and raises it again a moment later (``SIGALRM``), where
the command runs.

A parent that blocks SIGINT before starting the command (so that a Ctrl-C
during the interpreter's own start-up, before any of this code runs, waits
for it) has it let through once the handler is in place; a parent that
*ignores* SIGINT (``nohup``, background jobs) is obeyed.

``checkpoint(name)``: for the tests, with ``ZINEPRESS_TEST_INTERRUPT_AT=name``
in the environment the process sends Ctrl-C to its process group (as a
terminal does) at that named moment, so each moment is tested exactly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

MESSAGE = "interrupted: the outputs written so far are complete; run the same command again to build the rest"
TEST_HOOK = "ZINEPRESS_TEST_INTERRUPT_AT"
EXIT_CODE = 130


class _State:
    installed = False       # our handler is SIGINT's
    live = False            # a Ctrl-C now raises KeyboardInterrupt
    interrupted = False     # a Ctrl-C came
    normal_end = False      # the command ends on Ctrl-C by design (``ends_on_ctrl_c``)
    running = False         # the command's own code runs (inside ``run``)
    previous_hook = sys.unraisablehook


def _on_sigint(signum, frame) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # one is enough: the stop is under way
    _State.interrupted = True
    if _State.live:
        _State.live = False
        raise KeyboardInterrupt


# A Ctrl-C raised again after Python ignored it, this long after (seconds):
# time enough for the hook that saw it to return first.
_RAISE_AGAIN_AFTER = 0.05


def _on_alarm(signum, frame) -> None:
    if _State.live and _State.running:
        _State.live = False
        raise KeyboardInterrupt


def _on_unraisable(unraisable) -> None:
    """Our Ctrl-C raised where Python ignores exceptions: raised again soon, in
    the command's own code, instead of an "Exception ignored" traceback."""
    if (isinstance(unraisable.exc_value, KeyboardInterrupt) and _State.installed and _State.running
            and _State.interrupted and threading.current_thread() is threading.main_thread()):
        _State.live = True
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, _RAISE_AGAIN_AFTER)
        return
    _State.previous_hook(unraisable)


def install() -> None:
    """Make SIGINT ours, unless the parent ignores it."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return                  # ignored (nohup, a background job): stay so
    _State.installed = _State.live = True
    _State.previous_hook = sys.unraisablehook
    sys.unraisablehook = _on_unraisable
    signal.signal(signal.SIGINT, _on_sigint)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def run(main) -> None:
    """Run ``main()`` as the command; Ctrl-C at any moment: one line, exit 130."""
    code: object = 0
    try:
        try:
            _State.running = True
            install()
            checkpoint("start")
            main()
        finally:
            _State.live = _State.running = False    # from here on a Ctrl-C is only noted
            if _State.installed:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except KeyboardInterrupt:
        _State.interrupted = True
    except SystemExit as exit:
        code = exit.code
    if _State.installed:
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # too late now: the outcome stands
    if not _State.interrupted or _State.normal_end:
        _end(exit_status(code))
    try:
        sys.stderr.write(MESSAGE + "\n")
    except (OSError, ValueError):
        pass
    # Not sys.exit: CPython marks a KeyboardInterrupt that passed through code
    # run by exec() (a dataclass or namedtuple being made while a module
    # imports) as unhandled, and would end the process by SIGINT instead.
    _end(EXIT_CODE)


def exit_status(code: object) -> int:
    """The exit status the interpreter gives ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        print(code, file=sys.stderr)
    except (OSError, ValueError):
        pass
    return 1


def _end(status: int) -> None:
    """End the process with ``status``: the ``atexit`` functions run and the
    standard streams are flushed, as at any exit, but the interpreter is not
    torn down module by module and object by object — 0.1 to 0.2 s once the
    engines are loaded, spent after the work is done. (Every file the command
    writes is closed before it ends.)"""
    import atexit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(status)


def ends_on_ctrl_c() -> None:
    """For a command that runs until stopped (``serve``): a Ctrl-C from now on is
    its normal end, which the command reports itself; its exit code stands."""
    _State.normal_end = True


def checkpoint(name: str) -> None:
    """A named moment the tests may interrupt (see the module's docstring)."""
    if os.environ.get(TEST_HOOK) == name:
        os.killpg(os.getpgrp(), signal.SIGINT)


@contextlib.contextmanager
def held():
    """SIGINT blocked while child processes start: they inherit the block (and
    call ``ignore_in_child`` first); a Ctrl-C meanwhile is delivered to this
    process when the block ends."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        if signal.SIGINT not in previous:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def ignore_in_child() -> None:
    """First act of a worker process started under ``held``: Ctrl-C is the
    parent's, which stops the build; the worker finishes what it writes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # a Ctrl-C pending since the start is dropped
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
