from setuptools import Extension, setup

setup(
    name="cwbroken",
    version="1.0",
    packages=["cwbroken"],
    ext_modules=[Extension("cwbroken._ext", ["cwbroken/_ext.c"])],
)
