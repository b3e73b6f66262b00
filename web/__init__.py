"""The web server: /media with the seed's access rules, the JSON API under /api/v1 and the
gallery page. An entry point: it asks storage/ for access decisions, services/ for rows and
files, and Prefect's client to start runs; nothing imports it."""
