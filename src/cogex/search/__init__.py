"""CoTACS program search: propose candidate programs, rank them by execution, keep the top k."""

from cogex.search.cotacs import SearchResult, SearchSettings, load_program, run_search

__all__ = ["SearchResult", "SearchSettings", "load_program", "run_search"]
