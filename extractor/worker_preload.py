"""Imported by bulk's fork server only: loads the model the run will use once, in the server, so
every worker forked from it shares the weights' memory pages instead of reading its own copy.

Two workers with a copy each kept 18 MB of weights competing for the machine's shared cache; the
run's settings come in `FORM4_PRELOAD_MODEL` ("method|folder"), set before the server starts.
"""

from __future__ import annotations

import os

from .bulk import MODEL_PRELOAD_VARIABLE
from .layout.ocr import one_thread_per_process
from .model import preload_model

_method, _, _folder = os.environ.get(MODEL_PRELOAD_VARIABLE, "").partition("|")
if _method:
    one_thread_per_process()
    preload_model(_method, _folder or None)
