"""The models a job may name: the built-in ``tiny`` and ``tabular`` models and the operator's model folders.

The operator lists folders in ``AGGREGATION_MODEL_DIRS`` (``:``-separated; :class:`~worker.config.WorkerConfig`
reads it). Every subfolder of those folders that holds a ``config.json`` (a transformers checkpoint
saved with ``save_pretrained``) is a model, named by the subfolder's name; when two folders hold
the same name, the first folder wins. A job names a model by that name only, never by a path, so
nothing a user types can make the dashboard or a worker look anywhere else on the disk:

* the dashboard lists :func:`available_models` of its own folders and refuses a spec naming
  anything else (:meth:`worker.client.JobClient.submit`);
* a worker resolves the name in its own folders (:func:`model_path`) and refuses one it does not
  hold, in words that name nothing but the model (:mod:`worker.models`).

Neither ever says whether some other path exists. Nothing here imports torch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from aggregation.bounds import MAX_MODEL_NAME_CHARS

TINY = "tiny"
#: A policy that is a softmax over the alternatives (one table row per prompt), no language model at all
#: (:class:`worker.models.TabularPolicy`): the same losses and optimizer, a run in well under a second.
TABULAR = "tabular"
#: The models every worker has without any folder.
BUILT_IN = (TINY, TABULAR)
#: A model's name: a folder name made of letters, digits, ``.``, ``_``, ``+`` and ``-``, not starting
#: with a dot (so never ``..``, a hidden folder, a path or a URL).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


def is_model_name(name) -> bool:
    """Whether ``name`` has the shape of a model folder's name (not whether such a model exists)."""
    return (
        isinstance(name, str)
        and len(name) <= MAX_MODEL_NAME_CHARS
        and _NAME.fullmatch(name) is not None
        and name not in BUILT_IN
    )


def available_models(model_dirs) -> list[str]:
    """The names of the models in ``model_dirs`` (subfolders holding a ``config.json``), sorted; a folder
    that cannot be read is skipped."""
    return sorted(_models(model_dirs))


def model_path(name: str, model_dirs) -> Path | None:
    """The folder of model ``name`` in ``model_dirs`` (the first folder holding it), or None."""
    if not is_model_name(name):
        return None
    return _models(model_dirs).get(name)


def _models(model_dirs) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in model_dirs:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name in found or not is_model_name(entry.name):
                continue
            try:
                if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "config.json")):
                    found[entry.name] = Path(entry.path)
            except OSError:
                continue
    return found
