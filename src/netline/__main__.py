"""Run the command line with ``python -m netline``."""

from netline.cli import main

main()
