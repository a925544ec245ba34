"""``python -m api.cli``: the same as the ``komplekt`` command."""

from api.cli import main

main()
