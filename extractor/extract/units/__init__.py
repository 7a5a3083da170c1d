"""Study units: where a document that reports several studies splits into one record per study."""
