"""Editor features (completion, hover, navigation) computed from the analysis, free of LSP types."""
