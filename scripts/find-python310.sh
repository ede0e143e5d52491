#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.10), or explain and fail.
# Order: $PYTHON310, pyenv's 3.10.13 or any 3.10, then python3.10 on PATH.
set -u
check() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
if command -v pyenv >/dev/null 2>&1; then
  for v in 3.10.13 $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
    prefix=$(pyenv prefix "$v" 2>/dev/null) && candidates+=("$prefix/bin/python")
  done
fi
for dir in "$HOME/.pyenv/versions"/3.10*; do [ -d "$dir" ] && candidates+=("$dir/bin/python"); done
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")

for c in "${candidates[@]}"; do
  if check "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
Loopbrug needs Python 3.10 (Rasa 3.6 does not run on newer versions) and none was found.
Install one, for example with `pyenv install 3.10.13`, or point PYTHON310 at a python3.10.
MSG
exit 1
