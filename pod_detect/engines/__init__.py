"""Where the rows live: :mod:`.frames` holds the few shims through which every stage reads
the rows, whichever engine holds them; :mod:`.dask` reads many files onto a Dask cluster.
"""
