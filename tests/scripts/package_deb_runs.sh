#!/usr/bin/env bash
# `cpack -G DEB` must produce a package whose files run from where they land, with the Debian
# runtime packages as its dependencies and valid desktop metadata. The package is unpacked into
# a temporary root (not installed into the system) and its programs are started from there.
set -euo pipefail
build=$1
out="$build/package"
rm -rf "$out"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb)
echo "package: $deb"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for needed in libtorch libqt6widgets6 libqcustomplot2.1-qt6 libopenblas0; do
  grep -q "$needed" <<<"$depends" || { echo "FAIL: Depends lacks $needed" >&2; exit 1; }
done
if grep -q 'libsentencepiece' <<<"$depends"; then :; else
  echo "FAIL: Depends lacks libsentencepiece0 (the shim needs it)" >&2; exit 1
fi

root="$out/root"
dpkg-deb -x "$deb" "$root"
for f in usr/bin/crisp usr/bin/crisp-studio usr/share/applications/org.crispstudio.CrispStudio.desktop \
         usr/share/metainfo/org.crispstudio.CrispStudio.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/org.crispstudio.CrispStudio.svg \
         usr/share/icons/hicolor/256x256/apps/org.crispstudio.CrispStudio.png \
         usr/share/bash-completion/completions/crisp usr/share/zsh/vendor-completions/_crisp \
         usr/share/man/man1/crisp.1.gz usr/share/man/man1/crisp-studio.1.gz \
         usr/share/doc/crisp-studio/copyright usr/share/doc/crisp-studio/changelog.gz; do
  [ -e "$root/$f" ] || { echo "FAIL: package lacks /$f" >&2; exit 1; }
done
file "$root/usr/share/icons/hicolor/256x256/apps/org.crispstudio.CrispStudio.png" | grep -q '256 x 256'
"$root/usr/bin/crisp" info | tee "$out/info.txt"
grep -q "isolated shim: $root/usr/lib" "$out/info.txt" ||
  { echo "FAIL: the packaged crisp did not load the packaged SentencePiece shim" >&2; exit 1; }
XDG_CONFIG_HOME="$out/config" QT_QPA_PLATFORM=offscreen "$root/usr/bin/crisp-studio" --quit-after 300
grep -q '^\.SS "crisp train"' <(zcat "$root/usr/share/man/man1/crisp.1.gz") ||
  { echo "FAIL: crisp(1) does not document crisp train" >&2; exit 1; }
# The distribution's own checks (scripts/setup installs them): the desktop entry, the AppStream
# metadata and lintian on the .deb. Justified lintian tags:
# - maintscript-calls-ldconfig: CPack adds ldconfig to postinst/postrm for any library under
#   /usr/lib, here the private SentencePiece shim (harmless, and no other way to turn it off).
desktop-file-validate "$root/usr/share/applications/org.crispstudio.CrispStudio.desktop"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.crispstudio.CrispStudio.metainfo.xml"
status=0
lintian --fail-on error,warning --suppress-tags maintscript-calls-ldconfig "$deb" \
  >"$out/lintian.txt" 2>&1 || status=$?
grep -v "running with root privileges" "$out/lintian.txt" || true
[ "$status" -eq 0 ] || { echo "FAIL: lintian (exit $status)" >&2; exit 1; }
echo "package OK"
