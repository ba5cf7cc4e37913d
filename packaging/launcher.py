"""Entry point for the frozen app: the same command line as the `reach-studio` console script."""

from reach_studio.cli import main

raise SystemExit(main())
