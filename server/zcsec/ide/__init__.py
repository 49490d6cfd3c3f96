"""Editor features (completion, hover, navigation) computed from the analysis, free of LSP types.

* :mod:`.cursor`: what is under the cursor (a context from the raw text for
  completion, a spot in the parsed model for hover and navigation);
* :mod:`.completion`: the completion entry point, with its sources in
  :mod:`.complete_xml` and :mod:`.complete_csd`, snippets in :mod:`.snippets`
  and the item types in :mod:`.items`;
* :mod:`.hover` and :mod:`.navigation`.
"""
