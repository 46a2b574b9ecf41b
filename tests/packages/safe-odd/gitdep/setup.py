from setuptools import setup

setup(name="safe-gitdep", version="1.0", packages=["safe_gitdep"])
