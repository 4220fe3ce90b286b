"""Importing clip lists made for other DFER codebases (DFER-CLIP, MAE-DFER, S2D)."""
from .dataset_guard import dataset_mismatch
from .import_list import import_lists, output_name, output_paths
from .list_formats import (LIST_FORMATS, ListFormatError, check_list_shape, label_word,
                           read_list, split_fields)

__all__ = ['LIST_FORMATS', 'ListFormatError', 'check_list_shape', 'dataset_mismatch',
           'label_word', 'read_list', 'split_fields', 'import_lists', 'output_name',
           'output_paths']
