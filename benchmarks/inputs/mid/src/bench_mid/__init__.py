"""Benchmark input application."""
