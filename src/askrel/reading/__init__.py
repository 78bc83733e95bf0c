"""Reading sources: text and PDF files to text, metadata, sections and page structure."""
