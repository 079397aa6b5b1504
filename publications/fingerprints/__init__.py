"""Research-topic fingerprints: weighted concepts per publication (extract.py finds them, compute.py
weighs them against the collection and stores them), aggregated per person and organisation, and
similarity between fingerprints (pgvector sparse vectors with HNSW indexes)."""
