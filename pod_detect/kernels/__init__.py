"""Speed code behind named interfaces: sorting group-bys over packed integer keys
(:mod:`.sorting`, :mod:`.keys`) and per-group sums over edge arrays (:mod:`.grouped`).

Nothing here knows what an engagement is; every function has a plain dataframe equivalent
that the test suite can run instead (``pytest --general-paths``).
"""
