"""Synthetic research output at scale, for `manage.py generate_publications`.

vocabulary.py        the words (mined from real records into data/generate_vocabulary.json
                     by build_vocabulary.py) and the prose templates around them
draw.py              drawing organisations, journals, persons and publications as COPY rows
load.py              writing them in one transaction, indexes rebuilt around a large load:
                     generate_collection() is the entry point
"""
