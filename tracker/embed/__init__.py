"""Paper embeddings for related papers and search by meaning.

encoder    the sentence-embedding model, loaded through the trial runner (torch inside)
pipeline   `tracker embed`: embed new or changed papers, batch by batch
index      the memory-mapped search matrix of one model (exact, or IVF when large)
ivf        the inverted-file index on numpy
semantic   similar papers, search by meaning, hybrid fusion with keyword search
terms      the short reason shown beside a similar paper (shared key terms)

Only encoder imports torch, inside its functions: importing this package is light.
"""
