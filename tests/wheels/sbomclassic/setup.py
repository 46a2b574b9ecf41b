from setuptools import setup

# The classifier names no one licence ("BSD License"); the License field does.
setup(
    name="sbomclassic",
    version="1.0",
    packages=["sbomclassic"],
    license="BSD-3-Clause",
    classifiers=["License :: OSI Approved :: BSD License"],
    license_files=["LICENSE.txt"],
)
