"""Importing clip lists made for other DFER codebases (DFER-CLIP, MAE-DFER, S2D)."""
from .list_formats import LIST_FORMATS, ListFormatError, label_word, read_list, split_fields
from .import_list import output_name, run_import

__all__ = ['LIST_FORMATS', 'ListFormatError', 'label_word', 'read_list', 'split_fields',
           'output_name', 'run_import']
