#!/usr/bin/env bash
# Fetches the third-party front-end files the panel serves from inside its binary, unmodified,
# from the npm registry, into assets/vendor/. Run it to update them; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.8
SWAGGER_VERSION=5.35.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$HTMX_VERSION" "swagger-ui-dist@$SWAGGER_VERSION" >/dev/null)
mkdir -p assets/vendor/htmx assets/vendor/swagger-ui
tar -xzf "$tmp/htmx.org-$HTMX_VERSION.tgz" -C "$tmp" package/dist/htmx.min.js package/LICENSE
cp "$tmp/package/dist/htmx.min.js" "$tmp/package/LICENSE" assets/vendor/htmx/
rm -rf "$tmp/package"
tar -xzf "$tmp/swagger-ui-dist-$SWAGGER_VERSION.tgz" -C "$tmp" \
  package/swagger-ui-bundle.js package/swagger-ui.css package/LICENSE
cp "$tmp/package/swagger-ui-bundle.js" "$tmp/package/swagger-ui.css" "$tmp/package/LICENSE" assets/vendor/swagger-ui/
echo "htmx.org $HTMX_VERSION (BSD-2-Clause)" > assets/vendor/VERSIONS
echo "swagger-ui-dist $SWAGGER_VERSION (Apache-2.0)" >> assets/vendor/VERSIONS
echo "vendored into assets/vendor:"; cat assets/vendor/VERSIONS
