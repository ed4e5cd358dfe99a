"""The sections of the run report: each module builds the tables (and notes) of one section.

``verdict`` (Verdict and all comparisons), ``accuracy`` (Accuracy, Runtime, Failures), ``gaps``
(overfitting), ``noise`` (noisy and hardware evaluations), ``images`` (image diagnostics);
``base`` holds the ``ReportSection`` / ``SectionFigure`` data the templates lay out.
"""
