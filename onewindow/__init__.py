"""OneWindow 一窗通办·帮办代办 — grassroots government service platform."""

__version__ = "0.1.0"
