from setuptools import setup

setup(name="safe-vendor-dep", version="1.0", py_modules=["safe_vendor_dep"])
