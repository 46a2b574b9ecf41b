from setuptools import setup

setup(
    name="bench-mid",
    version="1.0.0",
    description="Benchmark input for dh-venv and dh-virtualenv",
    packages=["bench_mid"],
    python_requires=">=3.9",
    install_requires=["flask", "requests", "PyYAML", "SQLAlchemy", "python-dateutil", "attrs"],
    entry_points={"console_scripts": ["bench-mid = bench_mid.cli:main"]},
)
