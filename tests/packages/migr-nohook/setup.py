from setuptools import setup

setup(
    name="migrnohook",
    version="3.1",
    packages=["migrnohook"],
    install_requires=["tinydep"],
    entry_points={"console_scripts": ["migr-nohook = migrnohook:main"]},
)
