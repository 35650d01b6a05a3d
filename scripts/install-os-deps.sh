#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Jiedai needs, only those that are missing.
#   scripts/install-os-deps.sh run    -> what the app needs to serve pages and PDFs
#   scripts/install-os-deps.sh test   -> the above, plus what the test suite needs
#   scripts/install-os-deps.sh bench  -> the above, plus the load generator of make bench
set -euo pipefail

run_pkgs=(
  python3-venv            # the project's virtualenv
  gettext                 # compilemessages / makemessages
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b   # WeasyPrint
  libharfbuzz-subset0     # font subsetting: ~0.2 s per PDF instead of ~10 s
  fonts-noto-cjk          # Chinese glyphs with a real bold, in PDFs and screenshots
)
test_pkgs=(
  poppler-utils           # pdftotext / pdffonts / pdftoppm to check PDFs
  chromium                # browser tests (Playwright drives Debian's Chromium)
  gcc python3-dev libldap2-dev libsasl2-dev   # build python-ldap (directory-login tests)
  zbar-tools              # zbarimg decodes the badges' QR codes (tests/visits/test_guests.py)
)

bench_pkgs=(
  wrk                     # HTTP load generator (make bench)
)

pkgs=("${run_pkgs[@]}")
[ "${1:-run}" = "test" ] && pkgs+=("${test_pkgs[@]}")
[ "${1:-run}" = "bench" ] && pkgs+=("${bench_pkgs[@]}")

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-os-deps: this is not a Debian/Ubuntu system (no apt-get)." >&2
  echo "  Install these packages (or your system's equivalents) by hand: ${pkgs[*]}" >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-os-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-os-deps: missing packages and no root: run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
