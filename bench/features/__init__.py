"""Feature extractors: ``RawData.x`` -> model input arrays."""
