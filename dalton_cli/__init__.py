"""dalton: choose an NHS provider organisational form, with the evidence."""

__version__ = "0.1.0"
