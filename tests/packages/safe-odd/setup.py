from setuptools import setup

setup(
    name="safe-odd",
    version="1.0",
    packages=["safe_odd"],
    # An absolute target: wheels cannot put it in /etc, dh_venv reports it.
    data_files=[("/etc/safe-odd", ["safe-odd.conf"])],
    entry_points={"console_scripts": ["safe-odd = safe_odd:main"]},
)
