"""The batch: find input files, cut them into tasks, extract them where an executor runs them, write in batches.

Modules, each importing only those before it:

- ``events``: what a task reports (``DocumentDone``, ``Failed``, ``TaskDone``, ...);
- ``discovery``: the input files of a run;
- ``options``: ``ExtractOptions``, ``RunSummary`` and the ``Progress`` callbacks;
- ``writer``: the one writer, a transaction per batch;
- ``parquet``: records as Parquet parts (``--out-parquet``) and ``load_parquet``;
- ``alarm`` and ``tasks``: a task and ``process_task``, the work every executor runs;
- ``executors``: this process, a local pool, a Dask cluster;
- ``run``: ``run_extract``, behind ``extractor extract``.
"""
