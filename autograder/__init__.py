"""The trusted grading engine of the d2l course kit."""

__version__ = "0.1.0"
