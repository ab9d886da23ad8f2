"""One process per test worker that has imported zinepress and its engines,
and forks a child for each command ``conftest.run_cli`` runs.

A command run as ``python -m pipeline`` spends most of a small build
importing WeasyPrint and the rest (about 2 of its 3 seconds); the suite runs
some two hundred of them. A child forked from here starts where such a
process would be after its imports, and then does what ``python -m pipeline``
does: the same ``sys.argv``, ``__main__`` module, working folder and
environment, its own process group, standard input from ``/dev/null``,
standard output and error to the files it is given. Batch workers it starts
are spawned, so they are fresh interpreters as always. Tests of start-up,
signals and process groups start ``python -m pipeline`` themselves.

Protocol, on copies of this process's standard input and output: a request is
one line of JSON (``args``, ``cwd``, ``env``, ``stdout``, ``stderr``); the
replies are two lines, the child's pid when it starts and its exit code
(negative: the signal that ended it) when it ends.
"""

import json
import os
import sys
import threading
import traceback
from pathlib import Path


def _child(request: dict, entry) -> None:
    from pipeline.interrupt import exit_status     # the status the interpreter gives ``SystemExit``

    code = 1
    try:
        os.setpgid(0, 0)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [entry.__file__, *request["args"]]
        sys.modules["__main__"] = entry
        entry.main()
        code = 0
    except SystemExit as exc:
        code = exit_status(exc.code)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def main() -> None:
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

    import pipeline.__main__ as entry
    from pipeline.batch.job import warm_up

    warm_up()
    if threading.active_count() != 1:
        sys.exit(f"cli_server: {threading.active_count()} threads after the imports; forking is not safe")
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            requests.close()
            replies.close()
            _child(request, entry)
        replies.write(f"{pid}\n")
        _, status = os.waitpid(pid, 0)
        replies.write(f"{os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()
