"""Ctrl-C where Python ignores exceptions (a weakref callback, a ``__del__``, as
the import system runs them): still one line and exit 130, and the command
stops there, not at its end. The Ctrl-C is sent from inside such a callback,
so it lands there every time."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT, interruptible
from pipeline.interrupt import EXIT_CODE, MESSAGE

PROGRAM = textwrap.dedent("""
    import signal, sys, time, weakref
    from pipeline import interrupt

    class Thing:
        pass

    def ctrl_c_inside_a_callback(ref):
        signal.raise_signal(signal.SIGINT)
        for _ in range(100_000):    # Python acts on the signal here, in the callback
            pass

    def main():
        thing = Thing()
        ref = weakref.ref(thing, ctrl_c_inside_a_callback)
        del thing                   # the callback runs, and the Ctrl-C with it
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:   # a guard: the Ctrl-C must stop this
            time.sleep(0.01)
        print("not stopped")

    interrupt.run(main)
""")


def test_ctrl_c_in_a_callback_python_ignores_stops_the_command_with_one_line():
    proc = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, preexec_fn=interruptible)
    assert proc.returncode == EXIT_CODE, (proc.returncode, proc.stdout, proc.stderr)
    assert "not stopped" not in proc.stdout
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [MESSAGE], proc.stderr


def test_other_ignored_exceptions_are_still_reported():
    program = textwrap.dedent("""
        from pipeline import interrupt

        class Broken:
            def __del__(self):
                raise ValueError("from __del__")

        def main():
            thing = Broken()
            del thing

        interrupt.run(main)
    """)
    proc = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, preexec_fn=interruptible)
    assert proc.returncode == 0, proc.stderr
    assert "ValueError: from __del__" in proc.stderr



def test_the_command_ends_as_sys_exit_would_without_the_teardown():
    """``run`` ends the process itself: the exit status and message ``sys.exit``
    would give, output flushed, ``atexit`` functions run — but no object is freed
    one by one (the teardown that costs a loaded engine 0.1–0.2 s)."""
    program = textwrap.dedent("""
        import atexit, sys
        from pipeline import interrupt

        class Kept:
            def __del__(self):
                print("torn down")

        kept = Kept()
        atexit.register(lambda: print("atexit ran"))

        def main():
            print("unflushed", end="")
            sys.exit({code})

        interrupt.run(main)
    """)
    for code, status, message in (("None", 0, ""), ("3", 3, ""), ("'no such file'", 1, "no such file\n")):
        proc = subprocess.run([sys.executable, "-c", program.format(code=code)], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert (proc.returncode, proc.stderr) == (status, message)
        assert proc.stdout == "unflushedatexit ran\n"
