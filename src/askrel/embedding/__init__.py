"""Embedding: texts in, L2-normalized float32 vectors out (torch or ONNX, bundled model)."""
