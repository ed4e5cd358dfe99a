"""Stage 4, cell: one cell from its spec to a record (embeddings, compression, training through the
one loop in ``loop``, evaluation, checkpoints), and the image diagnostics arrays a report shows
(``diagnostics``).
"""
