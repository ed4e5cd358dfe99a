"""Command line: a view of the library. ``parser`` assembles the sub-commands of ``commands`` (one module
each, parser beside body); ``views`` renders every table and event; ``common`` holds shared flags."""
