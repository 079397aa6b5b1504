"""Import from the standard formats: parsers (publications.importing.parsers) turn a file into
ImportedRecords (records.py); the engine (engine.py) turns those into publications."""
