"""The benchmark behind benchmarks/compare.py: inputs, running, analysis, reporting."""
