from setuptools import setup
from setuptools.command.build_py import build_py


class FailingBuild(build_py):
    def run(self):
        raise SystemExit("safe-badbuild: the build step fails on purpose")


setup(name="safe-badbuild", version="1.0", packages=["safe_badbuild"], cmdclass={"build_py": FailingBuild})
