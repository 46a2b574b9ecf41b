from setuptools import Extension, setup

setup(ext_modules=[Extension("qa_server._speed", ["qa_server/_speed.c"])])
