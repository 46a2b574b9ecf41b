"""Test fixture for dh-venv build: a project without debian/."""


def main() -> None:
    print("bld-bare ok")
