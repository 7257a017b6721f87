"""``python -m dart.cli``: the same as the ``dart`` command."""

from dart.cli import main

main()
