import sys
from importlib.resources import files

import tinydep


def main():
    note = files(__name__).joinpath("data/note.txt").read_text().strip()
    print(f"rel-files on {sys.version_info[0]}.{sys.version_info[1]}: {note}; tinydep {tinydep.__name__}")
