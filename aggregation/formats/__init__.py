"""Reading and writing populations: PrefLib files (:mod:`.preflib`), CSV ranking tables
(:mod:`.csv`), comparison tables (:mod:`.comparisons`) and plain dicts (:mod:`.dicts`, the format
of population files and job specs).

Every reader raises :class:`~aggregation.AggregationError` naming the line (or field) and the problem.
"""
from .comparisons import read_comparisons, write_comparisons
from .csv import read_rankings_csv, write_rankings_csv
from .dicts import COMPACT_ABOVE, FILE_KINDS, FILE_WORDS, population_from_dict, population_to_dict
from .preflib import PREFLIB_TYPES, read_preflib, write_preflib

__all__ = ["FILE_KINDS", "FILE_WORDS", "PREFLIB_TYPES", "COMPACT_ABOVE", "read_preflib", "write_preflib", "read_rankings_csv", "write_rankings_csv",
           "read_comparisons", "write_comparisons", "population_to_dict", "population_from_dict"]
