"""Fine-tuning jobs: train a language model on preference data drawn from a population and
compare the trained policy with what the aggregation rules predict.

* :mod:`worker.client`: the dashboard's API (``JobClient``, ``get_client``), documented there.
* :mod:`worker.spec`: job specs (plain JSON) and their validation.
* :mod:`worker.queue`, :mod:`worker.consumer`, :mod:`worker.local`: the Huey queue, the worker
  process, and the local worker started with the dashboard.
* :mod:`worker.train`: the trainer process (``python -m worker.train``), with
  :mod:`worker.models` (tiny built-in LM, the tabular policy, or a local checkpoint with LoRA),
  :mod:`worker.data` (datasets drawn from the population), :mod:`worker.methods` and :mod:`worker.losses`.
* :mod:`worker.forkserver`: the warm trainer (torch and transformers imported once per worker, one
  forked process per job).
* :mod:`worker.experiments`: the papers' experiments (defined in :mod:`aggregation.experiments`) run in
  one process, ``python -m worker.experiments NAME``.

Importing this package imports neither torch nor the queue; the dashboard imports
:mod:`worker.client` only.
"""
