#!/usr/bin/env bash
# The CrispCore CMake package: installed from the build tree (component CrispCore) into a
# temporary prefix, found by a separate project with find_package(CrispCore), which compiles,
# links and runs a forward pass through the installed core.
set -euo pipefail
source_dir=$1
build=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --component CrispCore --prefix "$work/prefix" >"$work/install.log"
[ -f "$work/prefix/lib/cmake/CrispCore/CrispCoreConfig.cmake" ] ||
  { echo "FAIL: no CrispCoreConfig.cmake installed" >&2; exit 1; }
[ -f "$work/prefix/include/crisp/core/model/attention_policy.h" ] ||
  { echo "FAIL: headers not installed under include/crisp/core" >&2; exit 1; }
if grep -rq "$source_dir" "$work/prefix/lib/cmake/CrispCore"; then
  echo "FAIL: the installed package refers to the source tree" >&2; exit 1
fi
cmake -S "$source_dir/tests/package/consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/consumer/consumer" | tee "$work/out.txt"
grep -q "^policy nodiag+crisp:0.5$" "$work/out.txt"
grep -q "^logits 1x2$" "$work/out.txt"
echo "CrispCore package OK"
