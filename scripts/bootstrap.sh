#!/usr/bin/env bash
# Installs every Debian 12 package that phaseout's build, tests, demo and benchmarks need.
# Idempotent: does nothing (and needs no network) when everything is already installed.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev
  # libraries
  libsqlite3-dev libpq-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libfmt-dev
  libssl-dev libcurl4-openssl-dev libpcap-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tools the tests and benchmarks use as oracles and peers
  sqlite3 tshark libndpi-bin p0f tcpreplay iproute2 time python3 python3-aiosmtpd goaccess
  ieee-data  # the IEEE OUI registry phaseout detect reads at run time
  # phaseout serve: Boost.Beast/Asio (the HTTP transport)
  libboost1.81-dev
  # the HTTP library comparison (bench/server) and the server benchmark's tools and peer
  librestinio-dev libcpp-httplib-dev wrk nginx-light
  chromium chromium-driver python3-selenium  # the web pages' end-to-end test (tests/web)
  libsodium-dev libcjose-dev  # accounts: argon2id passwords, random secrets; OIDC ID tokens
  python3-jwt python3-cryptography  # the test OpenID provider (tests/oidc)
  libboost-json1.81-dev  # inventory: Boost.JSON's event parser reads vendor exports piece by piece
  postgresql  # the PostgreSQL server the tests run a throw-away cluster of (libpq-dev: above)
  libnats-dev nats-server  # sensors: NATS JetStream client (src/bus) and the server tests/bus runs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
