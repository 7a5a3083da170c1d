"""extractor: study records from research literature."""

__version__ = "0.1.0"
