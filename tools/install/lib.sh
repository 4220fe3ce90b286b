# Shared by setup.sh and build_mmcv.sh (sourced, not run): quiet, timed, logged steps.
#
# Every command's full output goes to $OUS_LOG. The terminal gets one line per stage
# with its time, one line per kind of expected warning (with a count), any other
# warning verbatim, and on failure the log's last lines and its path.

# known_warning LINE: sets NOTE to the one-line explanation of an expected warning, or ''
known_warning() {
    NOTE=
    case "$1" in
        *"Location '"*"' is ignored"*)
            NOTE="pip: local index folders from this machine's pip config lack these packages (harmless; pip then uses PyPI)" ;;
        *"dependency resolver does not currently take into account"*)
            NOTE="pip: dependency-conflict report for the packages below (expected ones are explained; pip installed what was asked)" ;;
        *"requires setuptools"*"but you have setuptools"*)
            NOTE="pip: torch wants setuptools>=77, mmcv 2.1.0's setup.py needs <70 (pkg_resources): the old one lives only in a private build folder" ;;
        *"facenet-pytorch"*"requires"*"but you have"*|*"facenet-pytorch"*"which is not installed"*)
            NOTE="pip: facenet-pytorch 2.6.0 pins torch<2.3/numpy<2/Pillow<10.3 but runs on this stack: installed with --no-deps on purpose" ;;
        *"DEPRECATION:"*|*"setup.py install is deprecated"*|*"SetuptoolsDeprecationWarning"*|*"easy_install command is deprecated"*)
            NOTE="pip/setuptools: deprecation notices about setup.py-based builds (mmcv 2.1.0's and ours), harmless with the pinned pip" ;;
        *": warning: "*|*"Warning: "*"nvcc"*)
            NOTE="compiler warnings in mmcv 2.1.0's C++/CUDA sources (upstream, harmless)" ;;
        *"UserWarning: "*"Attempted to use ninja"*|*"UserWarning: "*"cpp_extension"*|*"There are no g++ version bounds"*)
            NOTE="torch.utils.cpp_extension notices while building mmcv (harmless)" ;;
    esac
}

# summarize_log FROM_LINE: one line per kind of known warning in $OUS_LOG after FROM_LINE,
# unknown WARNING/ERROR lines verbatim (at most 5)
summarize_log() {
    local from=$1 line note unknown=0 NOTE
    declare -A counts=()
    declare -a order=()
    while IFS= read -r line; do
        known_warning "$line"
        note=$NOTE
        if [ -n "$note" ]; then
            [ -z "${counts[$note]+x}" ] && order+=("$note")
            counts[$note]=$(( ${counts[$note]:-0} + 1 ))
        elif [[ "$line" == *WARNING* || "$line" == ERROR* || "$line" == *" error: "* ||
                "$line" == *"but you have"* || "$line" == *"which is not installed"* ]]; then
            unknown=$((unknown + 1))
            [ "$unknown" -le 5 ] && echo "    ! $line"
        fi
    done < <(tail -n +"$((from + 1))" "$OUS_LOG" |
             grep -E "WARNING|ERROR|[Ww]arning|error|DEPRECATION|requires|is ignored" || true)
    for note in "${order[@]}"; do
        printf '    (%dx) %s\n' "${counts[$note]}" "$note"
    done
    if [ "$unknown" -gt 5 ]; then echo "    ! ... $((unknown - 5)) more warnings in $OUS_LOG"; fi
    return 0
}

# logged CMD...: run CMD with all output appended to $OUS_LOG; on failure print the tail and the log path
logged() {
    local status=0
    echo "+ $*" >>"$OUS_LOG"
    "$@" >>"$OUS_LOG" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        echo
        echo "FAILED (exit $status): $*" >&2
        echo "---- last 25 lines of $OUS_LOG ----" >&2
        tail -n 25 "$OUS_LOG" >&2
        echo "---- full log: $OUS_LOG ----" >&2
    fi
    return "$status"
}

# stage NAME WHAT CMD...: one line "[setup] NAME  WHAT ... N s", then the summary of its warnings
stage() {
    local name=$1 what=$2 start from
    shift 2
    start=$(date +%s)
    from=$(wc -l <"$OUS_LOG")
    printf '[setup] %-9s %s ... ' "$name" "$what"
    "$@"  # a plain call, so that `set -e` stops the script at the first failing step
    printf '%d s\n' "$(($(date +%s) - start))"
    summarize_log "$from"
}
