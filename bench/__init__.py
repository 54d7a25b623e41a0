"""Benchmarks: `python -m bench` (or `make bench`); `--quick` for a smoke run."""
