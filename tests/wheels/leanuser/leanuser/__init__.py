import pkg_resources  # noqa: F401  (undeclared: setuptools is not in install_requires)

NAME = "leanuser"
