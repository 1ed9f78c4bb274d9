"""Serbia–US relations in figures: a DuckDB store of the papers' figures and official statistics."""

__version__ = "0.1.0"
