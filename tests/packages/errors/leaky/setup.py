import os

from setuptools import setup

# Records where it was built: the kind of path that breaks on the target.
with open(os.path.join("leaky", "_where.py"), "w") as fh:
    fh.write(f"BUILT_IN = {os.path.abspath('.')!r}\n")

setup(name="leaky", version="1.0", packages=["leaky"])
