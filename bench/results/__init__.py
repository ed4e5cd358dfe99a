"""Stage 5, results: the record of a cell, the durable results store and the content-addressed artefact
cache.
"""
