#!/usr/bin/env bash
# Installs the Debian programs the tests use to open outputs as a user would, when they are missing:
# poppler-utils (pdftotext, pdffonts, pdftoppm), qpdf, libreoffice-calc (soffice), chromium.
# Called by `npm test` and by .ci/run. Needs root or password-less sudo to install; otherwise it says
# what to install and the tests that need a missing program are skipped (with CI=true they fail).
set -uo pipefail

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "${IXAUDIT_NO_APT:-}" = "1" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[ixaudit tests] missing Debian packages: ${need[*]} (install them to run every check)." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "[ixaudit tests] missing Debian packages: ${need[*]}; run: sudo apt-get install ${need[*]}" >&2
    exit 0
  fi
fi
echo "[ixaudit tests] installing ${need[*]} with apt-get (once; IXAUDIT_NO_APT=1 skips this)" >&2
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
  || echo "[ixaudit tests] apt-get failed; the checks that need ${need[*]} are skipped (or fail with CI=true)." >&2
exit 0
