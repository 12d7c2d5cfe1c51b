"""tracker: a terminal research-paper tracker and model finder."""

__version__ = "0.1.0"
