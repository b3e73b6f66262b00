"""Entry points: the ``reelflow`` command line, serving the deployments of prefect.yaml, and the
local Prefect server. The top layer: it may import every other one, and none imports it."""
