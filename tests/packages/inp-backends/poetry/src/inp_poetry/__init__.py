def main() -> None:
    print("inp-poetry says hi")
