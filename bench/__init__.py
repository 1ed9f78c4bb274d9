"""Benchmarks: the product against bare DuckDB doing the same work (see README, Performance)."""
