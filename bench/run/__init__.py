"""Stage 3, run: the driver that hands cells to an executor and commits each record as it arrives."""
