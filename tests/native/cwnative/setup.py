from setuptools import Extension, setup

setup(
    name="cwnative",
    version="1.0",
    packages=["cwnative"],
    ext_modules=[
        Extension("cwnative._zlib", ["cwnative/_zlib.c"], libraries=["z"]),
        Extension("cwnative._pq", ["cwnative/_pq.c"], libraries=["pq"], include_dirs=["/usr/include/postgresql"]),
    ],
)
