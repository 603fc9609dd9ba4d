"""Matching: the pure engine (plain data in, plain data out) used by the matching flow."""
