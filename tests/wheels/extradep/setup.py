from setuptools import setup

setup(name="extradep", version="1.0", packages=["extradep"])
