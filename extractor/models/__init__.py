"""Trained models at run time: loading the committed ones and predicting (``extractor.training`` trains them)."""
