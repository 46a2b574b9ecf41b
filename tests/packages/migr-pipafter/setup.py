from setuptools import setup

setup(
    name="migrpipafter",
    version="2.0",
    packages=["migrpipafter"],
    install_requires=["tinydep"],
    entry_points={"console_scripts": ["migr-pipafter = migrpipafter:main"]},
)
