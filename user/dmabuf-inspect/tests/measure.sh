#!/bin/bash
# How dmabuf-inspect's cost grows: trees from gen_root of N processes
# holding one buffer each, and of N buffers held by 40 processes; each
# view as a table and as JSON, wall-clock seconds (TIMEOUT caps a run).
#
#   user/dmabuf-inspect/tests/measure.sh [BINARY] [N...]
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-$HERE/../dmabuf-inspect}
shift || true
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(1000 2000 10000 40000)
TIMEOUT=${TIMEOUT:-60}
WORK=${WORK:-$(mktemp -d)}
GEN=$WORK/gen_root

cc -O2 -o "$GEN" "$HERE/gen_root.c" || exit 1

# seconds VIEW-ARGS...: the run's wall-clock time, ">TIMEOUT" if cut.
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	if ! timeout "$TIMEOUT" "$BIN" "$@" >/dev/null 2>&1; then
		printf '>%s' "$TIMEOUT"
		return
	fi
	t1=$(date +%s.%N)
	printf '%.2f' "$(echo "$t1 - $t0" | bc)"
}

printf '%-6s %-7s %-8s %-4s %9s %9s\n' shape N rows view table json
for n in "${SIZES[@]}"; do
	for shape in procs bufs; do
		np=$n
		[[ $shape == bufs ]] && np=40
		dir=$WORK/$shape-$n
		[[ -d $dir ]] || "$GEN" "$dir" "$np" "$n" || exit 1
		# Once untimed: the first run would pay for the cold tree.
		timeout "$TIMEOUT" "$BIN" --root "$dir" --json >/dev/null 2>&1
		for view in default -b -a; do
			# The grid has a column per process: N x N cells.
			[[ $view == -a && $shape == procs && $n -gt 2000 ]] && continue
			args=(--root "$dir")
			[[ $view == default ]] || args+=("$view")
			printf '%-6s %-7s %-8s %-4s %9s %9s\n' "$shape" "$np" "$n" "$view" \
				"$(seconds "${args[@]}")" "$(seconds "${args[@]}" --json)"
		done
	done
done
