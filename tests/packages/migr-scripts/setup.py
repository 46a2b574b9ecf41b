from setuptools import setup

setup(
    name="migrscripts",
    version="1.33",
    packages=["migrscripts"],
    install_requires=["tinydep"],
    scripts=["bin/migr-sc"],
)
