"""Prints the text of a PDF as pdfminer.six extracts it: the independent reader the tests check our letters with.

Usage: pdf_text.py FILE.pdf
"""
import sys

from pdfminer.high_level import extract_text

sys.stdout.write(extract_text(sys.argv[1]))
