#!/usr/bin/env bash
# Fails when the committed generated protobuf code differs from what proto/openrtb.proto generates.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash scripts/gen-proto.sh "$tmp" >/dev/null 2>&1
diff -q "$tmp/openrtb.js" src/openrtb/proto/generated/openrtb.js >/dev/null && diff -q "$tmp/openrtb.d.ts" src/openrtb/proto/generated/openrtb.d.ts >/dev/null || {
  echo "src/openrtb/proto/generated/ is out of date with proto/openrtb.proto: run npm run proto:gen" >&2
  exit 1
}
echo "generated protobuf code matches proto/openrtb.proto"
