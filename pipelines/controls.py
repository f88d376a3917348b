"""Control characters and terminal escapes: a page's text must never steer the terminal that
prints it, nor put in a database column what no column should hold.

Removed from the decoded page before it is parsed, since the HTML parser drops a lone ESC but
keeps the ``[31m`` after it, and again from every finished record field."""

from __future__ import annotations

import re

# Terminal escape sequences (CSI such as ESC[31m, OSC such as ESC]0;title BEL, and two-byte ESC
# forms such as ESC c, in their 7- and 8-bit spellings), then any other C0 or C1 control, DEL included.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# A C0 control written as a character reference (``&#27;``, ``&#x1b;``) in HTML. Those from
# 128 to 159 are left alone: HTML reads them as Windows-1252 punctuation, not as controls.
_CONTROL_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def decoded_controls(html_text: str) -> str:
    """``html_text`` with C0 controls written as character references made real, so that
    ``without_controls`` removes them (and the escape sequence they start) too."""
    def decoded(m: re.Match[str]) -> str:
        code = int(m[1], 16) if m[1] else int(m[2])
        return chr(code) if code < 32 or code == 127 else m[0]

    return _CONTROL_REFERENCE.sub(decoded, html_text)


def without_controls(text: str) -> str:
    """``text`` without control characters and terminal escapes; lines and tabs stay."""
    return _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


