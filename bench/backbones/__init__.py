"""Backbones: CNNs trained once per dataset x seed, then frozen to produce embeddings."""
