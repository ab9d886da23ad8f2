"""The ``zinepress`` command (also ``python -m pipeline``).

Ctrl-C is taken over before anything else is imported (``pipeline.interrupt``):
from the first line of the command on, it gives one line and exit 130."""

from pipeline import interrupt


def _cli() -> None:
    from pipeline.cli import app
    app(prog_name="zinepress")


def main() -> None:
    interrupt.run(_cli)


if __name__ == "__main__":
    main()
