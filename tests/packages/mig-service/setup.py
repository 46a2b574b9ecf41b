from setuptools import setup

setup(
    name="migservice",
    version="2.3",
    packages=["migservice"],
    install_requires=["tinydep==1.0"],
    entry_points={"console_scripts": ["migservice-web = migservice:web", "worker = migservice:worker"]},
)
