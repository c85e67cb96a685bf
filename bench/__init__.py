"""Benchmarks and data generators."""
