"""Labeled documents from records: made-up filings, layout-varied renderings, text channels, scans and faxes.

Because we render, we know which printed word came from which record field: every
`Rendering` carries one `WordLabel` per printed word. The aligner derives the same labels
from a record and any layout, so a user's own documents can be labeled with no boxes drawn.
"""
