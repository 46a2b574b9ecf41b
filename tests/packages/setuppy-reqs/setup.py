from setuptools import setup

setup(
    name="setuppy-app",
    version="1.0",
    packages=["setuppy_app"],
    entry_points={"console_scripts": ["setuppy-app = setuppy_app:main"]},
)
