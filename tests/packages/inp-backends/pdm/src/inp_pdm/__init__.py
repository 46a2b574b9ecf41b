def main() -> None:
    print("inp-pdm says hi")
