"""An application with a helper distribution installed after dh_virtualenv."""

import migrextra
import tinydep


def main() -> None:
    print(tinydep.shout("migr-pipafter"), migrextra.helper())
