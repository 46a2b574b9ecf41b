"""flit-core fixture."""


def main() -> None:
    print("inp-flit says hi")
