from setuptools import Extension, setup

setup(ext_modules=[Extension("multi_server._speed", ["multi_server/_speed.c"])])
