"""dh-venv fixture: the tests write malformed inputs into a copy of this project."""


def main() -> None:
    print("inp2-errors works")
