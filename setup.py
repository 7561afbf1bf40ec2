"""The compiled reader of S3 access logs (syndicate/stats/_s3scan.c), built where a C compiler
is found; where none is, the install goes on without it and `syndicate stats` reads those logs
with DuckDB's string functions instead (the same counts, slower). Everything else is in
pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("syndicate.stats._s3scan", ["syndicate/stats/_s3scan.c"],
                             optional=True, extra_compile_args=["-O2"])])
