from importlib.metadata import version


def main() -> None:
    print(version("inp-scm"))
