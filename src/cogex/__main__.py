"""``python -m cogex`` runs the command line."""

from cogex.cli import main

main()
