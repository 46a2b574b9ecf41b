def main() -> None:
    print("ini-scm")
