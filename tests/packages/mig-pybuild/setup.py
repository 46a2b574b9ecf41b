from setuptools import setup

setup(
    name="profiler",
    version="0.9",
    packages=["profiler"],
    entry_points={
        "console_scripts": ["profiler = profiler:main", "profiler-agent = profiler:agent"],
    },
)
