"""Stage 4, cell: one cell from its spec to a record (embeddings, compression, training, evaluation,
checkpoints).
"""
