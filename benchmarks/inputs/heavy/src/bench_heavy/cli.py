"""Use every compiled requirement once, so a broken venv shows at once."""

import io

import numpy
import pandas
import psycopg2.extensions
import pydantic
from cryptography.hazmat.primitives import hashes
from lxml import etree
from PIL import Image


class Point(pydantic.BaseModel):
    x: int
    y: int


def main() -> None:
    print("numpy", int(numpy.arange(10).sum()))
    print("pandas", int(pandas.DataFrame({"a": [1, 2, 3]})["a"].sum()))
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    print("pillow", Image.open(io.BytesIO(buf.getvalue())).size)
    print("lxml", etree.fromstring("<a><b/></a>")[0].tag)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"bench")
    print("cryptography", digest.finalize().hex()[:8])
    print("psycopg2", psycopg2.extensions.adapt("x").getquoted())
    print("pydantic", Point(x="1", y=2).x)
