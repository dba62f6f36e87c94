"""Source formats: one module per shape, each a :class:`~socialaudit.ingest.base.SourceFormat`.

``FORMATS`` lists them in detection order: specific shapes first, the generic
CSV/JSONL/Parquet readers last.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FormatError, SocialAuditError
from .base import IngestOptions, SourceFormat
from .detect import take_sample
from .facebook import FacebookFormat
from .generic_csv import GenericCsvFormat
from .generic_jsonl import GenericJsonlFormat
from .generic_parquet import GenericParquetFormat
from .ibm_care import IbmCareFormat
from .instagram import InstagramFormat
from .linkedin import LinkedInFormat
from .pinterest import PinterestFormat
from .twcs import TwcsFormat
from .x_v2 import XV2Format
from .youtube import YouTubeFormat

FORMATS: dict[str, SourceFormat] = {
    f.name: f
    for f in (
        TwcsFormat(),
        IbmCareFormat(),
        XV2Format(),
        FacebookFormat(),
        InstagramFormat(),
        YouTubeFormat(),
        PinterestFormat(),
        LinkedInFormat(),
        GenericParquetFormat(),
        GenericJsonlFormat(),
        GenericCsvFormat(),
    )
}

__all__ = ["FORMATS", "IngestOptions", "SourceFormat", "detect_format", "get_format"]


def get_format(name: str) -> SourceFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise SocialAuditError(f"unknown format '{name}' (known: auto, {', '.join(FORMATS)})") from None


def detect_format(path: Path) -> SourceFormat:
    """The first format whose ``sniff`` accepts the file; a clear error if none does."""
    if not path.exists():
        raise FormatError(str(path), "no such file")
    if path.is_dir():
        raise FormatError(str(path), "is a directory, not a file")
    sample = take_sample(path)
    if not sample.head.strip() or not sample.text.strip("\ufeff \t\r\n"):
        raise FormatError(str(path), "empty file")
    for fmt in FORMATS.values():
        if fmt.sniff(sample):
            return fmt
    raise FormatError(str(path), "format not recognised; name it with --format "
                                 f"(one of {', '.join(FORMATS)})")
