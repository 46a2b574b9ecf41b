"""Installed with the venv's own pip after dh_virtualenv."""


def helper() -> str:
    return "with migrextra"


def main() -> None:
    print("migr-extra", helper())
