"""Imported once by the fork server of the batch workers (``local``): the
engines, so that every worker forked from it starts with them loaded."""

try:
    from pipeline.batch.job import warm_up

    warm_up()
except Exception:       # a worker that finds an engine missing says so itself
    pass
