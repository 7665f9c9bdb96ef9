"""Training data: reading Alpaca-style instruction data and converting it into CoGEX instances."""

from cogex.data.alpaca import AlpacaItem, read_alpaca

__all__ = ["AlpacaItem", "read_alpaca"]
