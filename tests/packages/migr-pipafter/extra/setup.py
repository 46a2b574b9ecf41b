from setuptools import setup

setup(
    name="migrextra",
    version="1.0",
    packages=["migrextra"],
    entry_points={"console_scripts": ["migr-extra = migrextra:main"]},
)
