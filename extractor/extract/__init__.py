"""Field extractors: one module per field, each a pure function from a text layer to candidate values."""
