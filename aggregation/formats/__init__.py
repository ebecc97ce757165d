"""Reading and writing populations: PrefLib files (:mod:`.preflib`), CSV ranking tables
(:mod:`.csv`), comparison tables (:mod:`.comparisons`) and plain dicts (:mod:`.dicts`, the format
of population files and job specs).

Every reader raises :class:`~aggregation.AggregationError` naming the line (or field) and the problem,
and checks the limits of :mod:`aggregation.bounds` before it allocates; every CSV written here is
formula-safe (:func:`~.csv.formula_safe`).
"""

from .comparisons import read_comparisons, uncompared, write_comparisons
from .csv import FORMULA_PREFIXES, formula_safe, neutralise, read_rankings_csv, to_csv, write_rankings_csv
from .dicts import COMPACT_ABOVE, FILE_KINDS, FILE_WORDS, population_from_dict, population_to_dict, read_population_json
from .preflib import PREFLIB_TYPES, read_preflib, write_preflib

__all__ = [
    "FILE_KINDS",
    "FILE_WORDS",
    "PREFLIB_TYPES",
    "COMPACT_ABOVE",
    "read_preflib",
    "write_preflib",
    "read_rankings_csv",
    "write_rankings_csv",
    "read_comparisons",
    "write_comparisons",
    "uncompared",
    "population_to_dict",
    "population_from_dict",
    "read_population_json",
    "FORMULA_PREFIXES",
    "neutralise",
    "formula_safe",
    "to_csv",
]
