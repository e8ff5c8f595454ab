"""The Django web application: a thin shell around `junheng.core` (see docs/ARCHITECTURE.md)."""
