"""`python -m prolo_bot` runs the command-line interface."""

import sys

from prolo_bot.cli import main

sys.exit(main())
