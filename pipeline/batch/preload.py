"""A Dask worker started with ``--preload pipeline.batch.preload`` imports
the engines as it starts, not on its first text (as a local build imports
them before it forks its workers, ``local``)."""

try:
    from pipeline.batch.job import warm_up

    warm_up()
except Exception:       # a worker that finds an engine missing says so itself
    pass
