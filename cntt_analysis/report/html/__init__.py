"""HTML renderers (pages leaders read, notebooks analysts run): escaped blocks and tables
(`blocks`, `views`), charts (`plots`), the notebook sections (`sections`) and the
self-contained HTML/PDF pages (`pages`). They render the year's facts; they decide
nothing."""
