"""The outcome of a conversion or an import, and writing its outputs all at once.

Why: the converters and the importer used to write each output as soon as it
was built, so a run that failed later (an unreadable second list, nothing
written) had already replaced a good annotation file with an empty one. Here
every output is kept in memory until the run is known to have succeeded, then
each file is written through a temporary file and a rename.

Exit codes: 0 done; 1 with ``strict`` when a clip was not written or lacks a
face folder (outputs are written); 2 fatal, nothing written.
"""
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .records import ConversionReport, write_jsonl

EXIT_OK, EXIT_STRICT, EXIT_FATAL = 0, 1, 2


@dataclass
class RunResult:
    """What a conversion or import did; the tools print it (the library never prints)."""
    exit_code: int
    report: ConversionReport
    outputs: Dict[str, int] = field(default_factory=OrderedDict)  # file -> clips written
    report_path: Optional[str] = None
    layout: str = ''  # where scene clips and face folders were found
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    #: list -> how its dataset was established (imports)
    established: Dict[str, str] = field(default_factory=OrderedDict)


def failed(report: ConversionReport, error: str, layout: str = '') -> RunResult:
    """A fatal result: nothing written."""
    report.refused = True
    return RunResult(EXIT_FATAL, report, layout=layout, errors=[error])


def commit_outputs(pending: Dict[str, List[dict]], report: ConversionReport, report_path: str,
                   layout: str = '', strict_failure: Optional[str] = None) -> RunResult:
    """Write every output of ``pending`` (file -> records) if the run succeeded.

    The run fails (exit 2, no annotation file touched) when an output would be
    empty or the report's counts do not add up. The report file is always
    written: it is the diagnosis of a failed run, then written next to the report of
    the last good run (``<name>.failed.txt``), which stays with the annotations it
    describes.
    """
    result = RunResult(EXIT_OK, report, report_path=report_path, layout=layout)
    empty = [dst for dst, records in pending.items() if not records]
    if empty:
        result.errors.append(
            f'no clip could be written to {", ".join(empty)} (see the report above); '
            'nothing was written, earlier annotation files are untouched')
    result.errors += [f'internal error, counts do not add up: {b}' for b in report.check_balance()]
    if result.errors:
        result.exit_code = EXIT_FATAL
        result.report_path = failed_report_path(report_path)
        report.write(result.report_path)
        return result
    report.write(report_path)
    for dst, records in pending.items():
        write_jsonl(dst, records)
        result.outputs[dst] = len(records)
    if strict_failure:
        result.errors.append(strict_failure)
        result.exit_code = EXIT_STRICT
    return result


def failed_report_path(report_path: str) -> str:
    """Where a failed run's report goes: ``x_report.txt`` -> ``x_report.failed.txt``."""
    stem, ext = osp.splitext(report_path)
    return f'{stem}.failed{ext or ".txt"}'


def report_file(out_dir_or_file: str, name: str) -> str:
    """``<out dir>/<name>`` (or next to an output file)."""
    folder = osp.dirname(osp.abspath(out_dir_or_file)) \
        if out_dir_or_file.endswith('.jsonl') else osp.abspath(out_dir_or_file)
    return osp.join(folder, name)
