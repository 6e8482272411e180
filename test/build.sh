# shellcheck shell=bash
# Build the module against the guest kernel's headers, and the programs
# that run in the guest. make is incremental, so a rerun with nothing
# changed costs only make's own checks.

# Sets KOS to the built modules.
build_all() {
	local log=$RUN_DIR/build.log
	# Two runs in one checkout would otherwise compile over each other;
	# released once the initramfs holds copies of the artefacts.
	lock_on 7 "$CACHE/locks/build-$(printf '%s' "$ROOT" | md5sum | cut -c1-12).lock"
	say "building module (KDIR=$KDIR) and user programs"
	run_logged "$log" make -C "$ROOT" modules KDIR="$KDIR" ||
		die "module build failed (see build.log)"
	run_logged "$log" make -C "$ROOT" user || die "user build failed (see build.log)"
	# The demo uses only the module and user_prog.
	if [[ $MODE == suite ]]; then
		say "building tests"
		run_logged "$log" make -C "$ROOT" tests || die "tests build failed (see build.log)"
		[[ -f $ROOT/tests/suite.sh ]] || die "tests/suite.sh is missing"
	fi
	build_list_modules
	[[ -x $ROOT/user/user_prog ]] || die "the build produced no user/user_prog"
}

build_unlock() { flock -u 7; }

# The modules the last build produced, from kbuild's modules.order (which
# names .ko or, on newer kernels, .o files, with or without a path), so
# that a stale .ko of a module no longer built is not shipped.
build_list_modules() {
	local line base
	KOS=()
	if [[ -f $ROOT/module/modules.order ]]; then
		while read -r line; do
			[[ -n $line ]] || continue
			base=$(basename "$line")
			base=${base%.o}
			base=${base%.ko}.ko
			[[ -f $ROOT/module/$base ]] || die "modules.order names $base, which was not built"
			KOS+=("$ROOT/module/$base")
		done <"$ROOT/module/modules.order"
	else
		local f
		for f in "$ROOT"/module/*.ko; do
			[[ -f $f ]] && KOS+=("$f")
		done
	fi
	[[ " ${KOS[*]} " == *"/pagebuf.ko "* ]] || die "the build produced no module/pagebuf.ko"
}
