"""zinepress: texts → pamphlet PDF, imposed booklet PDF and EPUB 3, each with its colophon."""

__version__ = "0.1.0"
