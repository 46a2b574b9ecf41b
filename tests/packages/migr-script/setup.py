from setuptools import setup

setup(
    name="migrscript",
    version="1.4",
    packages=["migrscript"],
    install_requires=["tinydep"],
    extras_require={"cli": ["extradep"]},
    entry_points={"console_scripts": ["migr-script = migrscript:main"]},
)
