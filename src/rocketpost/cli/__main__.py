"""``python -m rocketpost.cli``: same as the ``rocketpost`` script."""

from rocketpost.cli import main

main()
