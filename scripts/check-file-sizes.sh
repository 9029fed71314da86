#!/usr/bin/env bash
# Keeps modules small enough to read (docs/architecture.md): components at most 300 lines,
# every other TypeScript module at most 400. Tests and fixtures are exempt.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while IFS= read -r file; do
    lines=$(wc -l < "$file")
    case "$file" in
        components/*) limit=300 ;;
        *) limit=400 ;;
    esac
    if (( lines > limit )); then
        echo "$file: $lines lines (limit $limit); split it into smaller modules" >&2
        status=1
    fi
done < <(git ls-files --cached --others --exclude-standard -- '*.ts' | grep -v -e '^test/' -e '^node_modules/')
exit $status
