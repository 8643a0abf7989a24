"""Run one command, alone, and print its wall time and peak RSS as JSON.

    python bench/_measure.py STDOUT_FILE CMD...

A separate small process because a child's ru_maxrss starts at the RSS of the process that forked
it (the kernel carries the pre-exec high-water mark over), so a benchmark driver holding a loaded
Linter would inflate every measurement. Forked from here, the floor is this interpreter's ~10 MB.
Only the standard library is imported, to keep that floor low.
"""
import json
import os
import sys
import time


def main() -> None:
    stdout_file, cmd = sys.argv[1], sys.argv[2:]
    fd = os.open(stdout_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(fd, 1)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "maxrss_kb": usage.ru_maxrss, "returncode": os.waitstatus_to_exitcode(status)}))


if __name__ == "__main__":
    main()
