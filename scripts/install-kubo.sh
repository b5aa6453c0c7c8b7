#!/usr/bin/env bash
# Builds Kubo (the reference IPFS daemon) from the Go module proxy into $(go env GOPATH)/bin,
# unless an `ipfs` of the wanted version is already there. Used by .ci/run for the SDK's
# real-Kubo suite; `npm test` never needs it.
#
# Kubo v0.43.1's go.mod replaces go-libp2p with a fork that the module proxy does not serve (its
# only change: building against quic-go v0.62 / webtransport-go v0.13). Plain
# `go install ...@v0.43.1` therefore refuses to build. We build the released module with that
# replace removed and quic-go / webtransport-go at the versions go-libp2p v0.49.0 itself requires;
# none of it touches what we use (offline daemon, RPC API, gateway, pinning).
set -euo pipefail
version=${KUBO_VERSION:-v0.43.1}
bin="$(go env GOPATH)/bin/ipfs"
if [ -x "$bin" ] && "$bin" version --number 2>/dev/null | grep -qx "${version#v}"; then
  echo "kubo ${version} already at $bin"
  exit 0
fi
echo "building kubo ${version} (a few minutes on 2 cores)"
src=$(go mod download -json "github.com/ipfs/kubo@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"
go mod edit -dropreplace github.com/libp2p/go-libp2p \
  -require github.com/quic-go/quic-go@v0.60.0 \
  -require github.com/quic-go/webtransport-go@v0.11.1
mkdir -p "$(dirname "$bin")"
GOFLAGS=-mod=mod go build -trimpath -o "$bin" ./cmd/ipfs
"$bin" version
