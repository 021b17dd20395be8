"""liblouis, the Braille translator NVDA, Orca and BRLTTY use, called from Python.

Through its C library (Debian's liblouis20, with its tables in liblouis-data) by ctypes: not
through its command-line tool, which reads escape sequences in its input and cuts long lines,
and not through a Python binding, as none is maintained on PyPI (Debian's python3-louis serves
only the system's Python, not a virtual environment). The library keeps each table compiled
once loaded, so translating a policy takes milliseconds.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

LIBRARY = "liblouis.so.20"
DOTS_IO, UNICODE_BRAILLE = 4, 64
"""liblouis translation modes: give cells as dots, as Unicode braille patterns."""


class BrailleError(RuntimeError):
    """liblouis is missing or cannot use a table."""


def translate(text: str, table: str) -> str:
    """Text in braille cells (Unicode braille patterns), translated by liblouis with `table`."""
    louis = _liblouis()
    size = louis.lou_charSize()
    encoding = f"utf-{size * 8}-{'le' if sys.byteorder == 'little' else 'be'}"
    data = text.encode(encoding, "surrogatepass")
    length = len(data) // size
    room = length * 2 + 16
    while True:
        read, written = ctypes.c_int(length), ctypes.c_int(room)
        output = ctypes.create_string_buffer(room * size)
        if not louis.lou_translateString(table.encode(), data, ctypes.byref(read), output,
                                         ctypes.byref(written), None, None, DOTS_IO | UNICODE_BRAILLE):
            raise BrailleError(f"liblouis could not translate with the table {table}; is Debian's "
                               "liblouis-data installed? (bash scripts/install installs it)")
        if read.value == length:
            return output.raw[:written.value * size].decode(encoding, "surrogatepass")
        room *= 2  # the output filled the buffer before the input ran out


@cache
def liblouis_version() -> str:
    """Such as 3.24.0: part of each Braille file's cache key, as a new version may translate differently."""
    return _liblouis().lou_version().decode()


@cache
def _liblouis() -> ctypes.CDLL:
    try:
        louis = ctypes.CDLL(LIBRARY)
    except OSError:
        raise BrailleError(f"Braille files need the liblouis library ({LIBRARY}), which is not "
                           "installed; run bash scripts/install, or apt-get install liblouis20") from None
    louis.lou_version.restype = ctypes.c_char_p
    return louis


