"""Field extraction: study units, then every registered field of each unit.

One subpackage per field (``design``, ``sample_size``, ``outcomes``, ``effects``,
``registrations``), each with its rules and a ``SPEC`` (``registry.FieldSpec``); ``fields`` lists
them, ``choice`` is the one place that chooses, ``document`` runs them over a document, and
``vocabulary`` holds the labels every layer shares.
"""
