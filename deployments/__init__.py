"""Entry points: the ``reelflow`` command line, settings and the Prefect deployments."""
