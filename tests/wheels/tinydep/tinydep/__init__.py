"""A dependency built into the test wheelhouse."""


def shout(text):
    return text.upper() + "!"


def main():
    print(shout("tinydep"))
