"""Import every requirement, so a broken venv shows at once."""

import attr
import charset_normalizer
import dateutil
import flask
import markupsafe
import requests
import sqlalchemy
import yaml


def main() -> None:
    for module in (attr, charset_normalizer, dateutil, flask, markupsafe, requests, sqlalchemy, yaml):
        print(module.__name__, getattr(module, "__version__", "?"))
