from setuptools import setup

setup(
    name="errapp",
    version="1.0",
    packages=["errapp"],
    entry_points={"console_scripts": ["errapp = errapp:main", "errapp-admin = errapp:main"]},
)
