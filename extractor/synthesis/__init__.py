"""Synthesis-ready records: effect estimates on an analysis scale, pooled, plotted and exported.

``convert`` puts one extracted estimate on an analysis scale with its standard error, the
formula used and what it rested on (or says why it cannot); ``records`` gathers the stored
estimates with their provenance and matches them to an outcome; ``pooling`` fits random-effects
models (DerSimonian-Laird, REML); ``forest`` draws the plot; ``exports`` writes metafor and
RevMan files. Nothing here is imported by the CLI at start-up.
"""
