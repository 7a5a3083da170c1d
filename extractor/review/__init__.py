"""The review app: a local web app in which annotators check, correct and settle extracted values.

``create_app`` (in ``app``) builds the Starlette application over one database;
``serve`` (in ``server``) binds it to loopback and runs it. Nothing here is
imported by the CLI until ``extractor review`` runs.
"""
