from setuptools import setup

# Requires setuptools at run time (it uses pkg_resources), wheel only with the "build" extra,
# pip only on Python 2: what a lean venv must keep follows from exactly this.
setup(
    name="leandep",
    version="1.0",
    packages=["leandep"],
    install_requires=["setuptools", "pip; python_version < '3'"],
    extras_require={"build": ["wheel"]},
)
