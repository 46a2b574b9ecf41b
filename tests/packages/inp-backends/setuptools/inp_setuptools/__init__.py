def main() -> None:
    print("inp-setuptools says hi")
