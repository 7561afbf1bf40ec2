"""syndicate: publish one author's blog and podcast as correct feeds, to a folder or S3."""

__version__ = "0.1.0"

__all__ = ["__version__"]
