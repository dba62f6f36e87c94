"""``python -m socialaudit`` = the ``socialaudit`` command."""

from .cli import main

main()
