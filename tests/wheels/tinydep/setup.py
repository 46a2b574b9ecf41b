from setuptools import setup

setup(
    name="tinydep",
    version="1.0",
    packages=["tinydep"],
    entry_points={"console_scripts": ["tinydep-tool = tinydep:main"]},
)
