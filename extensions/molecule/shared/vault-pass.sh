#!/bin/sh
# Vault password of the running Molecule scenario (ANSIBLE_VAULT_PASSWORD_FILE points here).
# It is random, made on first use in the scenario's ephemeral directory (mode 0600), and
# removed with that directory when the scenario is destroyed; it is never committed.
set -eu
dir="${MOLECULE_EPHEMERAL_DIRECTORY:?run this through molecule}"
file="$dir/vault-pass"
if [ ! -s "$file" ]; then
  mkdir -p "$dir"
  umask 077
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file.$$"
  mv "$file.$$" "$file"
fi
cat "$file"
