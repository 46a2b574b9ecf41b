from setuptools import setup

# A console script named python replaces the venv's own interpreter link.
setup(
    name="safe-pyapp",
    version="1.0",
    packages=["safe_pyapp"],
    entry_points={"console_scripts": ["python = safe_pyapp:main", "safe-pyapp = safe_pyapp:main"]},
)
