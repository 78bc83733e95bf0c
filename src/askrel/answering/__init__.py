"""Answering a question: ranking, reranking, highlighting and deciding whether the sources answer."""
