from warm_app import _flavour


def main():
    import warmdep

    print("warm-app says hello", _flavour.flavour(), warmdep.VERSION)
