"""The sha256 that names a rule set and checks cache entries.

CPython's own ``_sha256`` module imports in a fraction of the time OpenSSL's ``hashlib``
takes, which the scripted path notices; ``hashlib`` is the fallback.
"""

from __future__ import annotations

try:
    from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.11
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # Python 3.12+
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

__all__ = ["sha256"]
