"""Pieces of `make bench` (scripts/bench.py): load generator, bots, knowledge-base scaling, reload, report."""
