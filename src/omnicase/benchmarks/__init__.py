"""Benchmarks behind ``omnicase bench …`` (figures go to docs/benchmarks.md)."""
