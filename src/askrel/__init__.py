"""askrel: answers questions with ranked, exactly cited passages from its sources."""

__version__ = "0.1.0"
