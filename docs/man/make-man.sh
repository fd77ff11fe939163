#!/bin/sh
# make-man.sh HELP2MAN APP OUT INCLUDE...: APP's man page, made by help2man from APP's
# --help and --version, so it lists the options the program has; the INCLUDE files add
# the sections --help does not have. The usage lines after the first ("       nc-enc -L")
# reach help2man as alternatives ("  or:  nc-enc -L"), the form it recognizes.
set -eu
help2man=$1 app=$2 out=$3
shift 3
name=$(basename "$app")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/$name" <<SHIM
#!/bin/sh
"$app" "\$@" | sed 's/^       \\($name \\)/  or:  \\1/'
SHIM
chmod +x "$tmp/$name"
for f; do set -- "$@" --include="$f"; shift; done # each INCLUDE becomes --include=INCLUDE
# help2man dates the page by SOURCE_DATE_EPOCH when the builder sets it (reproducible).
"$help2man" --no-info --no-discard-stderr "$@" --output="$out" "$tmp/$name"
