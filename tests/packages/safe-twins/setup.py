from setuptools import setup

setup(
    name="safe-twins",
    version="1.0",
    packages=["safe_twins"],
    entry_points={"console_scripts": ["safe-twins = safe_twins:main"]},
)
