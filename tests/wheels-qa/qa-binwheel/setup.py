from setuptools import Extension, setup

setup(
    name="qa-binwheel",
    version="1.0",
    packages=["qa_binwheel"],
    ext_modules=[Extension("qa_binwheel._mul", ["qa_binwheel/_mul.c"])],
)
