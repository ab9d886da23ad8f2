"""Imported once by the fork server of the batch workers (``local``): the
engines, so that every worker forked from it starts with them loaded. A Dask
worker started with ``--preload pipeline.batch.preload`` loads them likewise
as it starts, not on its first text."""

try:
    from pipeline.batch.job import warm_up

    warm_up()
except Exception:       # a worker that finds an engine missing says so itself
    pass
