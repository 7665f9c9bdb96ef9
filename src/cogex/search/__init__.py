"""CoTACS program search: propose candidate programs, rank them by execution, keep the top k."""

from cogex.search.artifact import PROGRAM_FILE, PROGRAM_FORMAT, ChosenProgram, Program
from cogex.search.cotacs import SearchResult, SearchSettings, run_search

__all__ = ["PROGRAM_FILE", "PROGRAM_FORMAT", "ChosenProgram", "Program", "SearchResult", "SearchSettings", "run_search"]
