from setuptools import setup

setup(
    name="migrallwheel",
    version="0.7",
    packages=["migrallwheel"],
    entry_points={"console_scripts": ["migr-allwheel = migrallwheel:main"]},
)
