#!/usr/bin/env bash
# The end of `make demo`: gives four of the demo's people a password and prints how to open
# the dashboard on the demo database. The password is the demo's, printed on purpose: the demo
# database is a sample organisation and `phaseout serve` listens on loopback only.
# usage: scripts/demo_dashboard.sh PHASEOUT DB
set -euo pipefail
phaseout=$1
db=$2
password=phaseout-demo-2023
accounts=(
  "P-00108  security officer (every unit, grants waivers, reads the audit trail)"
  "P-00014  unit officer of pa/it (cases and hand-overs of the unit)"
  "P-00088  holder in pa/it (My devices: an iPhone to acknowledge and hand in)"
)
# The demo gives one official of the security unit the role auditor (service/demo.h); it is
# found in the people.csv the demo wrote beside the database.
auditor=$(awk -F, 'NR > 1 && /auditor/ {print $1; exit}' "$(dirname "$db")/people.csv" 2>/dev/null || true)
if [[ -n $auditor ]]; then
  accounts+=("$auditor  auditor (every unit and the audit trail; can change nothing)")
fi
if ! "$phaseout" account --help >/dev/null 2>&1; then
  echo "(this build has no \`phaseout account\`: the dashboard needs it)"
  exit 0
fi
for line in "${accounts[@]}"; do
  printf '%s\n' "$password" | "$phaseout" --db "$db" account password "${line%% *}" >/dev/null
done
cat <<TEXT

The dashboard, on this demo database:
  $phaseout --db $db serve --listen 127.0.0.1:8080
then open http://127.0.0.1:8080/ and sign in (password for each: $password):
TEXT
for line in "${accounts[@]}"; do echo "  $line"; done
echo "The page follows the browser's language (English or Russian); switch it at the top"
echo "(signed in, the choice is kept with the person: pages, refusals and reminder e-mails)."
