#!/usr/bin/env bash
# CRISP_BUILD_GUI=OFF must configure and build core + crisp with Qt made unfindable, and the
# result must not link Qt: the headless tool builds on a GPU server that has no Qt.
set -euo pipefail
src=$1
build=$2
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRISP_BUILD_GUI=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_QCustomPlotQt6=ON \
  >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target crisp crisp_spm_shim
if readelf -d "$build/bin/crisp" | grep -i 'libQt'; then
  echo "FAIL: the headless crisp links Qt" >&2
  exit 1
fi
if grep -rlE '#include <Q|#include "ui/' "$src/core" "$src/app/crisp_main.cpp"; then
  echo "FAIL: core/ or the crisp main includes Qt or ui/ headers (listed above)" >&2
  exit 1
fi
"$build/bin/crisp" info | grep -E '^Qt +not built \(headless build\)'
echo "headless build OK"
