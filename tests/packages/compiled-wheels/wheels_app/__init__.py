"""Exercise every compiled module of the fixture's wheels; print one result per line."""

import io
import sys
from pathlib import Path


def main():
    import _cffi_backend
    import black
    import numpy
    import psycopg2
    import pydantic
    import pydantic_core
    from cryptography.fernet import Fernet
    from lxml import etree
    from PIL import Image, ImageDraw, ImageFont

    # Imaging: bundled libjpeg, zlib, freetype/harfbuzz (which load one another).
    image = Image.new("L", (4, 4), color=7)
    print("numpy-sum", int(numpy.asarray(image).sum()))
    for fmt in ("PNG", "JPEG", "WEBP", "TIFF"):
        buf = io.BytesIO()
        image.save(buf, fmt)
        print("pillow", fmt, Image.open(io.BytesIO(buf.getvalue())).size)
    canvas = Image.new("L", (60, 20))
    ImageDraw.Draw(canvas).text((0, 0), "venv", font=ImageFont.load_default(size=12), fill=255)  # FreeType
    print("pillow-text", canvas.getbbox() is not None)
    print("pillow-features", sorted(k for k in ("freetype2", "jpg", "zlib", "webp") if _has(k)))
    # Numerical: bundled OpenBLAS/gfortran.
    print("numpy-inv", numpy.linalg.inv(numpy.array([[2.0, 0.0], [0.0, 4.0]])).tolist())
    # PostgreSQL drivers: psycopg2(-binary), psycopg 3 with its bundled libpq if installed.
    print("libpq", psycopg2.extensions.libpq_version() >= 100000)
    try:
        import psycopg
    except ImportError:
        pass
    else:
        print("psycopg", psycopg.pq.__impl__, psycopg.pq.version() >= 100000)
    # XML: bundled libxml2/libxslt.
    doc = etree.fromstring("<a><b>1</b><b>2</b></a>")
    xslt = etree.XSLT(etree.fromstring(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><n><xsl:value-of select="count(//b)"/></n></xsl:template></xsl:stylesheet>'
    ))
    print("lxml", str(xslt(doc)).strip().splitlines()[-1])
    # Rust (PyO3) with bundled OpenSSL; cffi.
    key = Fernet.generate_key()
    print("cryptography", Fernet(key).decrypt(Fernet(key).encrypt(b"venv")).decode())
    print("cffi", _cffi_backend.__version__ == __import__("cffi").__version__)
    # Rust (pydantic-core).

    class Point(pydantic.BaseModel):
        x: int

    print("pydantic", Point.model_validate({"x": "3"}).x, Path(pydantic_core._pydantic_core.__file__).suffix)
    # mypyc-compiled.
    print("black", black.format_str("x=1", mode=black.Mode()).strip(), Path(black.__file__).suffix)
    print("prefix", sys.prefix)


def _has(feature):
    from PIL import features

    return features.check(feature)
