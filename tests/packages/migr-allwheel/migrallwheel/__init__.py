"""A tool that needs a compiled extension from a wheel."""

import migrplain


def main() -> None:
    print("migr-allwheel", migrplain.value())
