# shellcheck shell=bash
# The guest's root file system: a gzip'd newc cpio with static busybox,
# /init, the built programs, the shared libraries they need (Debian ships
# no static libcmocka) and the in-tree kernel modules the tests load.
#
# Layout in the guest:
#   /init                       guest/init
#   /bin/busybox, /bin/sh       applet links are made at boot
#   /lib*/...                   shared libraries and the dynamic loader
#   /dmabuf-lab/*.ko            pagebuf.ko and every other module built
#   /dmabuf-lab/user_prog, demo.sh, run.conf
#   /dmabuf-lab/v2d_demo, dmabuf-inspect, dmabuf-conform
#   /dmabuf-lab/dmabuf-bench, bench.sh, bench-profile.sh   (--bench only)
#   /dmabuf-lab/tests/          tests/*.sh at any depth (suite.sh, helpers.sh,
#                               areas/*.sh), conform-expected.txt, and
#                               tests/bin/ (with the kernel's dmabuf-heap
#                               selftest, if built)
#   /dmabuf-lab/kmod/           NAME.ko files, NAME.order, load.sh
# and with --packages (MODE=selftest) instead of the programs and tests:
#   /usr/...                    the dmabuf-lab-tools and libdmabuf-lab0
#                               packages, unpacked
#   /lib/modules/KVER/          updates/dkms/ the modules under test,
#                               kernel/ the in-tree ones, modules.dep

initramfs_build() {
	local out=$1 stage=$RUN_DIR/initramfs
	say "building initramfs"
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc}
	mkdir -p "$stage/dmabuf-lab/kmod" "$stage/dmabuf-lab/tests"

	install -m 0755 "$T_BUSYBOX" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	install -m 0755 "$ROOT/guest/init" "$stage/init"
	# The kernel's built-in initramfs normally provides /dev/console, but
	# init's first output must not depend on that.
	if [[ $(id -u) -eq 0 ]]; then
		mknod -m 0600 "$stage/dev/console" c 5 1
	fi

	local dl=$stage/dmabuf-lab
	local ko
	install -m 0755 "$ROOT/guest/kmod-load.sh" "$dl/kmod/load.sh"
	if [[ $MODE == selftest ]]; then
		initramfs_add_package "$stage" "$out"
		return
	fi
	for ko in "${KOS[@]}"; do
		install -m 0644 "$ko" "$dl/"
	done
	install -m 0755 "${PROG_ROOT:-$ROOT}/user/user_prog" "$dl/user_prog"
	install -m 0755 "${PROG_ROOT:-$ROOT}/user/v2d_demo" "$dl/v2d_demo"
	install -m 0755 "${PROG_ROOT:-$ROOT}/user/dmabuf-inspect/dmabuf-inspect" "$dl/dmabuf-inspect"
	install -m 0755 "${PROG_ROOT:-$ROOT}/user/dmabuf-conform/dmabuf-conform" "$dl/dmabuf-conform"
	install -m 0755 "$ROOT/guest/demo.sh" "$dl/demo.sh"
	if [[ $MODE == bench ]]; then
		install -m 0755 "${PROG_ROOT:-$ROOT}/user/dmabuf-bench/dmabuf-bench" "$dl/dmabuf-bench"
		install -m 0755 "$ROOT/guest/bench.sh" "$dl/bench.sh"
		install -m 0755 "$ROOT/guest/bench-profile.sh" "$dl/bench-profile.sh"
	fi
	if [[ $MODE == suite ]]; then
		initramfs_add_tests "$dl/tests"
	fi

	local m
	for m in "${T_GUEST_KMODS[@]}"; do
		kmod_collect "$m" "$dl/kmod"
	done
	initramfs_finish "$stage" "$out"
}

# The libraries the programs need, run.conf, and the archive OUT.
initramfs_finish() {
	local stage=$1 out=$2
	# Programs of another architecture: from its sysroot (harness/cross.sh).
	if [[ -n ${T_SYSROOT:-} ]]; then
		initramfs_add_libs_sysroot "$stage"
	else
		initramfs_add_libs "$stage"
	fi
	initramfs_write_conf "$stage/dmabuf-lab/run.conf"

	# Sorted, owned by root, fixed mtimes: the same inputs give the same
	# archive, and nothing of the host's users leaks into the guest.
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --reproducible --quiet) |
		gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
}

# What a board has after apt install: the -tools package (TOOLS_DEB) and
# the library its programs link (LIB_DEB) unpacked over the root, less
# their documentation, and the modules under
# test (KOS) where DKMS installs them, beside the in-tree modules the
# suite loads (vgem, vivid and their dependencies), all known to
# modprobe through modules.dep. The early modules (the results console)
# are loaded by /init from /dmabuf-lab/kmod, as in the other modes.
initramfs_add_package() {
	local stage=$1 out=$2 m ko
	local mods=$stage/lib/modules/$KVER
	dpkg-deb -x "$TOOLS_DEB" "$stage" || die "cannot unpack $TOOLS_DEB"
	dpkg-deb -x "$LIB_DEB" "$stage" || die "cannot unpack $LIB_DEB"
	rm -rf "$stage/usr/share/doc" "$stage/usr/share/man"
	mkdir -p "$mods/updates/dkms" "$mods/kernel"
	for ko in "${KOS[@]}"; do
		install -m 0644 "$ko" "$mods/updates/dkms/"
	done
	for m in "${T_GUEST_KMODS[@]}"; do
		kmod_collect "$m" "$mods/kernel"
	done
	for m in "${T_EARLY_KMODS[@]}"; do
		kmod_collect "$m" "$stage/dmabuf-lab/kmod"
	done
	rm -f "$mods"/kernel/*.order
	# What depmod and modprobe read besides the modules themselves.
	for m in modules.order modules.builtin modules.builtin.modinfo; do
		[[ ! -f $MODROOT/lib/modules/$KVER/$m ]] || cp "$MODROOT/lib/modules/$KVER/$m" "$mods/"
	done
	depmod -b "$stage" "$KVER" || die "depmod failed on the image's modules"
	initramfs_finish "$stage" "$out"
}

# The suite's scripts (any *.sh, keeping sub-directories: suite.sh sources
# helpers.sh and areas/*.sh from its own folder), its recorded results and
# the built programs in tests/bin.
initramfs_add_tests() {
	local dest=$1 f rel
	while IFS= read -r -d '' f; do
		rel=${f#"$ROOT/tests/"}
		install -D -m 0755 "$f" "$dest/$rel"
	done < <(find "$ROOT/tests" -path "$ROOT/tests/bin" -prune -o -name '*.sh' -type f -print0)
	install -m 0644 "$ROOT/tests/conform-expected.txt" "$dest/"
	# Programs only: tests/bin also holds the build's object files.
	mkdir -p "$dest/bin"
	while IFS= read -r -d '' f; do
		install -m 0755 "$f" "$dest/bin/"
	done < <(find "${PROG_ROOT:-$ROOT}/tests/bin" -maxdepth 1 -type f -perm -u+x ! -name '*.o' -print0 2>/dev/null)
	# The kernel's dmabuf-heaps selftest, where the lane has one (harness/kselftest.sh).
	[[ -z ${HEAP_SELFTEST:-} ]] || install -m 0755 "$HEAP_SELFTEST" "$dest/bin/dmabuf-heap"
}

# Every dynamically linked ELF file in the image gets its libraries and
# loader copied at the paths ldd reports, which are the paths the loader
# searches by default, so no ld.so.cache or LD_LIBRARY_PATH is needed.
# A library the image already holds (libdmabuf-lab.so.0, unpacked from
# its package) is not the host's: ldd reports it not found, and it is
# left as unpacked.
initramfs_add_libs() {
	local stage=$1 f lib
	local -A seen=()
	while IFS= read -r -d '' f; do
		[[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == '177ELF' ]] || continue
		[[ $f == *.ko ]] && continue
		# ldd fails on static programs ("not a dynamic executable").
		while read -r lib; do
			[[ -n $lib && -z ${seen[$lib]:-} ]] || continue
			seen[$lib]=1
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done < <(ldd "$f" 2>/dev/null |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	done < <(find "$stage/dmabuf-lab" "$stage/usr" -type f -print0)
}

# Run parameters for the guest. A file in the image rather than kernel
# parameters: the --only glob may hold any character.
initramfs_write_conf() {
	local conf=$1
	{
		printf 'DL_MODE=%s\n' "$(sh_quote "$MODE")"
		printf 'DL_RESULTS_DEV=%s\n' "$(sh_quote "$T_RESULTS_DEV")"
		printf 'DL_FILTER=%s\n' "$(sh_quote "$ONLY")"
		printf 'DL_GUEST_KMODS=%s\n' "$(sh_quote "${T_GUEST_KMODS[*]}")"
		printf 'DL_EARLY_KMODS=%s\n' "$(sh_quote "${T_EARLY_KMODS[*]}")"
		printf 'DL_TARGET=%s\n' "$(sh_quote "$T_ARCH/$T_KERNEL")"
		printf 'DL_BENCH_REPS=%s\n' "$(sh_quote "${BENCH_REPS:-5}")"
		printf 'DL_BENCH_ARGS=%s\n' "$(sh_quote "${BENCH_ARGS:-}")"
		printf 'DL_BENCH_PROFILE=%s\n' "${BENCH_PROFILE:-0}"
		# The sizes of the debug-kernel areas (tests/areas/reliability.sh),
		# when the environment sets them; exported, as the suite runs
		# in a child of init.
		local v
		for v in DL_FUZZ_CALLS DL_FUZZ_SEED DL_SOAK_SECONDS DL_RELOADS; do
			[[ -z ${!v:-} ]] || printf 'export %s=%s\n' "$v" "$(sh_quote "${!v}")"
		done
	} >"$conf"
}
