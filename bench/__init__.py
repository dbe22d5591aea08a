"""Benchmark and server-process tools (`make bench`)."""
