"""Benchmark input application with compiled wheels."""
