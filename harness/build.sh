# shellcheck shell=bash
# Build the modules against the guest kernel's headers, and the programs
# that run in the guest. make is incremental, so a rerun with nothing
# changed costs only make's own checks.

# Extra make arguments of the module build (the benchmark's DL_BENCH=1).
MODULE_MAKE_ARGS=()

# Sets KOS to the built modules.
build_all() {
	local log=$RUN_DIR/build.log
	# Two runs in one checkout would otherwise compile over each other;
	# released once the initramfs holds copies of the artefacts.
	lock_on 7 "$CACHE/locks/build-$(printf '%s' "$ROOT" | md5sum | cut -c1-12).lock"
	local mlog=$RUN_DIR/module-build.log
	: >"$mlog"
	# The packages' lane: programs from the -tools package, modules from
	# DKMS (x86_64) or the lane's own build (harness/packages.sh).
	if [[ $MODE == selftest && -z ${T_DEB_ARCH:-} ]]; then
		return 0
	fi
	if [[ -n ${T_MODULE_BUILD_FN:-} ]]; then
		"$T_MODULE_BUILD_FN" "$mlog"
	elif [[ -n $T_CHROOT_SUITE ]]; then
		build_module_chroot "$mlog"
	else
		say "building module (KDIR=$KDIR)"
		MODDIR=$ROOT/module
		run_logged "$mlog" make -C "$ROOT" modules KDIR="$KDIR" ${MODULE_MAKE_ARGS[@]+"${MODULE_MAKE_ARGS[@]}"} ||
			{ cat "$mlog" >>"$log"; die "module build failed (see build.log)"; }
	fi
	cat "$mlog" >>"$log"
	BUILD_WARNINGS=$(grep -c 'warning:' "$mlog" || true)
	if [[ $BUILD_WARNINGS -gt 0 ]]; then
		grep 'warning:' "$mlog" | sed 's/^/    /'
	fi
	say "module build: $BUILD_WARNINGS warnings"
	# PROG_ROOT holds user/ and tests/bin/ as built for the guest.
	PROG_ROOT=$ROOT
	if [[ $MODE == selftest ]]; then
		build_list_modules
		return 0
	fi
	if [[ -n ${T_DEB_ARCH:-} ]]; then
		build_programs_cross
	else
		say "building user programs"
		run_logged "$log" make -C "$ROOT" user || die "user build failed (see build.log)"
		# The demo uses only pagebuf.ko and user_prog.
		if [[ $MODE == suite ]]; then
			say "building tests"
			run_logged "$log" make -C "$ROOT" tests || die "tests build failed (see build.log)"
		fi
	fi
	[[ $MODE != suite || -f $ROOT/tests/suite.sh ]] || die "tests/suite.sh is missing"
	build_list_modules
	[[ -x $PROG_ROOT/user/user_prog ]] || die "the build produced no user/user_prog"
}

build_unlock() { flock -u 7; }

# Copy the module's sources (module/ and include/, no build output) into
# DIR, for a build outside the checkout.
copy_module_sources() {
	local dir=$1
	(cd "$ROOT" && find module include \( -name '*.[ch]' ! -name '*.mod.c' \
		-o -name Kbuild -o -name Makefile \) -type f -print0 |
		tar --null -T - -cf -) | tar -C "$dir" -xf - || die "cannot copy the module sources to $dir"
}

# The modules of a chroot lane: a copy of their sources, outside the
# checkout (whose own objects belong to the host's kernel), built afresh
# with W=1 inside the chroot of the kernel's suite. Sets MODDIR.
build_module_chroot() {
	local mlog=$1 dir=$CACHE/build/$T_ARCH-$T_KERNEL
	say "building module in the $T_CHROOT_SUITE chroot (KDIR=$KDIR, W=1)"
	rm -rf "$dir"
	mkdir -p "$dir"
	copy_module_sources "$dir"
	MODDIR=$dir/module
	CHROOT_BIND=$dir CHROOT_LOG=$mlog chroot_run "$CHROOT" \
		make -C "$MODDIR" KDIR="$KDIR" W=1 ${MODULE_MAKE_ARGS[@]+"${MODULE_MAKE_ARGS[@]}"} ||
		{ cat "$mlog" >>"$RUN_DIR/build.log"; die "module build failed (see build.log)"; }
}

# The modules the last build produced, from kbuild's modules.order (which
# names .ko or, on newer kernels, .o files, with or without a path), so
# that a stale .ko of a module no longer built is not shipped.
build_list_modules() {
	local line base
	KOS=()
	if [[ -f $MODDIR/modules.order ]]; then
		while read -r line; do
			[[ -n $line ]] || continue
			base=$(basename "$line")
			base=${base%.o}
			base=${base%.ko}.ko
			[[ -f $MODDIR/$base ]] || die "modules.order names $base, which was not built"
			KOS+=("$MODDIR/$base")
		done <"$MODDIR/modules.order"
	else
		local f
		for f in "$MODDIR"/*.ko; do
			[[ -f $f ]] && KOS+=("$f")
		done
	fi
	[[ " ${KOS[*]} " == *"/pagebuf.ko "* ]] || die "the build produced no module/pagebuf.ko"
}
