"""Benchmarks: reelflow's renderer against the usual moviepy approach, from the same inputs.

Run ``python -m bench --help``; the README's "Benchmarks" section explains the table.
"""
