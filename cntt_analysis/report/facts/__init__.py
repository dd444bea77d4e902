"""The year's facts: what every output states (who reported, corrections, scores, ranks,
changes, shortcomings, who is commended or directed), computed once. HTML, Word, Excel and
the command line only render them."""
