"""
The benchmark (``make bench``, ``python bench/run.py``): :mod:`bench.run` measures; :mod:`bench.original` runs the
original bot beside this code.
"""
