"""Trained models: code that trains them from ../shared/data and loads the committed ones."""
