"""The expose stage: which console scripts become commands on PATH, and which names are refused."""
