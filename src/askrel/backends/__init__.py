"""Where the index lives: one narrow interface (base.py), a local and a Milvus implementation."""
