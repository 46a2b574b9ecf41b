"""Extensions compiled from this sdist during the package build."""

from cwnative._pq import pq_major
from cwnative._zlib import crc

__all__ = ["crc", "pq_major"]
