"""Qiskit-path backends: fake devices, IBM hardware and rehearsals.

``circuits`` turns a batched PennyLane circuit into one Qiskit template, ``execute`` runs it as
batched jobs, ``ibm`` says where jobs go, ``ledger`` records every IBM job id, ``cost`` estimates
QPU time for the budget.
"""
