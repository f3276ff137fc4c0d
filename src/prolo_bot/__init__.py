"""prolo-bot: a console guide to one article, "Prolotherapy for Back Pain"."""

__version__ = "0.1.0"
