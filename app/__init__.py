"""PileHub: the data-sharing hub for EV charging infrastructure."""

__version__ = "0.1.0"
