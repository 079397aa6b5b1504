#!/bin/sh
# Vendors axe-core from the npm registry for the accessibility tests (which never download it):
# publications/tests/data/axe/refresh.sh [VERSION]   (default: npm's latest, which must be 4.x)
# Writes axe.min.js, its LICENSE (MPL-2.0) and LICENSE-3RD-PARTY.txt, and VERSION with the
# version and the sha256 sums that publications/tests/browser.py checks. Needs npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=${1:-$(npm view axe-core@latest version)}
case "$version" in 4.*) ;; *) echo "axe-core $version is not 4.x: name a 4.x version" >&2; exit 1 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf "axe-core-$version.tgz")
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$work/package/LICENSE-3RD-PARTY.txt" "$here/"
{
    echo "axe-core $version"
    echo "tarball sha256 $(sha256sum "$work/axe-core-$version.tgz" | cut -d' ' -f1)"
    echo "axe.min.js sha256 $(sha256sum "$here/axe.min.js" | cut -d' ' -f1)"
} >"$here/VERSION"
cat "$here/VERSION"
