def main():
    import importlib

    for name in ("sbomexpr", "sbomclassic", "tinydep", "sbomsrc"):
        try:
            print(importlib.import_module(name).__name__)
        except ImportError:
            pass
