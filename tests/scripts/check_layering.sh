#!/usr/bin/env bash
# The layering of core/ as a rule (docs/ARCHITECTURE.md): each area includes only the areas
# below it; the libraries are linked by the same table. First proves the check fails on a
# planted upward include, then checks the tree.
set -euo pipefail
src=$1

shift
# The table core/CMakeLists.txt links the area libraries by (CRISP_CORE_LAYERS), one argument
# per area, "area:the areas it may include (besides itself)".
declare -A allowed=()
for layer in "$@"; do allowed[${layer%%:*}]=${layer#*:}; done
[[ ${#allowed[@]} -ge 8 ]] || { echo "FAIL: no layering table given" >&2; exit 1; }
for dir in "$src"/core/*/; do
  area=$(basename "$dir")
  [[ -v allowed[$area] ]] || { echo "FAIL: core/$area is not in the layering table" >&2; exit 1; }
done

check() {  # check ROOT: prints each upward include, returns 1 when there is one
  local root=$1 status=0 area file included
  for area in "${!allowed[@]}"; do
    [[ -d $root/core/$area ]] || continue
    while IFS=: read -r file included; do
      [[ $included == "$area" ]] && continue
      if [[ " ${allowed[$area]} " != *" $included "* ]]; then
        echo "core/$area may not include core/$included: ${file#"$root"/}" >&2
        status=1
      fi
    done < <(grep -rEo '^#include "core/[a-z_]+/' --include='*.h' --include='*.cpp' \
               "$root/core/$area" | sed -E 's|#include "core/([a-z_]+)/|\1|')
  done
  return $status
}

planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
mkdir -p "$planted/core/io"
printf '#include "core/model/classifier.h"\n' >"$planted/core/io/upward.cpp"
if check "$planted" 2>/dev/null; then
  echo "FAIL: the check missed a planted io -> model include" >&2
  exit 1
fi
check "$src"
echo "core layering OK"
