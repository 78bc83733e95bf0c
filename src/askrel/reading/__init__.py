"""Reading sources: text, web pages, Word documents and PDFs to text, metadata, sections and
page structure."""
