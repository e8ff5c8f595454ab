"""The system's own 待办 providers (registered in `todo`)."""

from __future__ import annotations
