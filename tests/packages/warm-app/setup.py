from setuptools import Extension, setup

setup(
    name="warm-app",
    version="1.0",
    packages=["warm_app"],
    ext_modules=[Extension("warm_app._flavour", ["warm_app/_flavour.c"])],
    install_requires=["warmdep"],
    license="MIT",
    entry_points={"console_scripts": ["warm-app = warm_app:main"]},
)
