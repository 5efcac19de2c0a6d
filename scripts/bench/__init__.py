"""Pieces of `make bench` (scripts/bench/__main__.py): load generator, bots, knowledge-base scaling, reload, report."""
