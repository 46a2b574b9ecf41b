"""The benchmark behind benchmarks/compare.py: one module per concept (see benchmarks/README.rst)."""
