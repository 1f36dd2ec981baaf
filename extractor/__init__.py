"""form4-extractor: typed records from SEC Forms 3, 4 and 5 in any format people hold them."""

__version__ = "0.1.0"
