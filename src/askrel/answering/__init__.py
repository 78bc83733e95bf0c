"""Answering a question: ranking, reranking, highlighting, deciding if the sources answer."""
