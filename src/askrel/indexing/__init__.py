"""The index on disk: building it, the passage store, the vector index and BM25."""
