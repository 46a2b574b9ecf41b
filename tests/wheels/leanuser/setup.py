from setuptools import setup

# Imports pkg_resources at module level without requiring setuptools (an undeclared dependency).
setup(name="leanuser", version="1.0", packages=["leanuser"])
