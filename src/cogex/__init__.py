"""cogex: language models that reason by writing, emulating and searching programs (CoGEX + CoTACS)."""

__version__ = "0.1.0"
