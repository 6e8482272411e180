# shellcheck shell=bash
# DEBS_DIR is read by the callers; the single-quoted scripts expand in the
# child shell on purpose.
# shellcheck disable=SC2034,SC2016
# The Debian packages (debian/), built the way Debian builds them: in a
# clean chroot holding build-essential and nothing but the source's
# Build-Depends, with dpkg-buildpackage, from the checkout's files (never
# its build outputs); then checked with lintian. Needs harness/lib.sh,
# harness/deps.sh, harness/chroot.sh and harness/targets.sh.
#
#   $CACHE/chroots/bookworm-deb   the native (amd64) build chroot
#   $CACHE/chroots/SUITE-ARCH     the cross lanes' chroots (harness/cross.sh),
#                                 with the cross Build-Depends added
#   $CACHE/build/deb-ARCH/        the copy of the source being built
#   $CACHE/debs/ARCH/             the .deb, .buildinfo and .changes files,
#                                 build.log and lintian.log

# The suite the native packages are built for: the host's.
DEB_NATIVE_SUITE=bookworm

# deb_source_copy DIR: the checkout's files as git knows them (tracked,
# and new files that are not ignored) copied to DIR/dmabuf-lab: what a
# source package of the checkout would hold.
deb_source_copy() {
	local dir=$1
	command -v git >/dev/null || die "git is needed to list the checkout's files"
	git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || die "$ROOT is not a git checkout"
	rm -rf "$dir"
	mkdir -p "$dir/dmabuf-lab"
	# Files deleted in the work tree but still in the index are skipped.
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[[ -e $f || -L $f ]] && printf '%s\0' "$f"
		done | tar --null -T - -cf -) | tar -C "$dir/dmabuf-lab" -xf - ||
		die "cannot copy the source to $dir"
}

# deb_collect BUILD_DIR OUT_DIR: what dpkg-buildpackage left next to the
# source, moved to OUT_DIR.
deb_collect() {
	local build=$1 out=$2 f n=0
	for f in "$build"/*.deb "$build"/*.ddeb "$build"/*.buildinfo "$build"/*.changes; do
		[[ -e $f ]] || continue
		mv "$f" "$out/"
		n=$((n + 1))
	done
	[[ $n -gt 0 ]] || die "dpkg-buildpackage left no packages in $build"
}

# deb_chroot_lists CHROOT_NAME: package lists of the chroot younger than a
# day, so that build-dep finds the archive's current versions.
deb_chroot_lists() {
	[[ -n $(find "$CHROOT/var/lib/apt/lists" -maxdepth 1 -name '*_InRelease' -mmin -1440 2>/dev/null) ]] &&
		return 0
	say "refreshing the $1 chroot's package lists"
	chroot_apt_update "$CHROOT"
}

# deb_build ARCH LOG DPKG_BUILDPACKAGE_ARGS...: the source copy in
# $CACHE/build/deb-ARCH gets its Build-Depends installed in $CHROOT
# (for ARCH when it is not the chroot's own), then is built there; the
# results go to $CACHE/debs/ARCH. Sets DEBS_DIR.
deb_build() {
	local arch=$1 log=$2 name
	shift 2
	local dir=$CACHE/build/deb-$arch out=$CACHE/debs/$arch
	local -a dep_args=()
	name=$(basename "$CHROOT")
	rm -rf "$out"
	mkdir -p "$out"
	deb_source_copy "$dir"
	[[ $arch == "$(chroot "$CHROOT" dpkg --print-architecture)" ]] || dep_args=(-a "$arch")
	# One run at a time changes the chroot's packages.
	lock_on 6 "$CACHE/locks/chroot-$name.lock"
	deb_chroot_lists "$name"
	say "installing the Build-Depends for $arch in the $name chroot"
	CHROOT_BIND=$dir CHROOT_LOG=$log chroot_run "$CHROOT" \
		apt-get build-dep -y -q --no-install-recommends "${dep_args[@]}" "$dir/dmabuf-lab" ||
		die "apt-get build-dep in the $name chroot failed (see $log)"
	flock -u 6
	say "dpkg-buildpackage $* in the $name chroot"
	CHROOT_BIND=$dir CHROOT_LOG=$log chroot_run "$CHROOT" /bin/sh -c '
		cd "$1/dmabuf-lab" && shift && exec dpkg-buildpackage "$@"
	' sh "$dir" "$@" || die "dpkg-buildpackage for $arch failed (see $log)"
	deb_collect "$dir" "$out"
	DEBS_DIR=$out
}

# The native build chroot (sets CHROOT): the host's suite, build-essential.
deb_build_chroot() {
	CHROOT_NAME=$DEB_NATIVE_SUITE-deb chroot_ensure "$DEB_NATIVE_SUITE" '' build-essential
}

# deb_build_native: all three packages for the host's architecture, in a
# chroot of the host's suite holding build-essential and the
# Build-Depends only. Sets DEBS_DIR.
deb_build_native() {
	local arch log
	arch=$(dpkg --print-architecture)
	mkdir -p "$CACHE/debs"
	log=$CACHE/debs/build-$arch.log
	: >"$log"
	CHROOT_LOG=$log deb_build_chroot
	deb_build "$arch" "$log" -us -uc -b
	mv "$log" "$DEBS_DIR/build.log"
}

# deb_build_cross ARCH: the packages for ARCH (and dmabuf-lab-dkms, which
# the board root installs with them), in the chroot of the lane that boots ARCH
# (harness/targets.sh), with the cross toolchain and the cross Build-Depends
# added there. Sets DEBS_DIR.
deb_build_cross() {
	local arch=$1 kernel log
	case "$arch" in
	arm64) kernel=6.1 ;;
	riscv64) kernel=6.12 ;;
	*) die "no cross chroot for $arch (arm64, riscv64)" ;;
	esac
	target_select "$arch" "$kernel"
	mkdir -p "$CACHE/debs"
	log=$CACHE/debs/build-$arch.log
	: >"$log"
	CHROOT_NAME=$T_CHROOT_NAME CHROOT_FOREIGN_ARCHES=$T_DEB_ARCH CHROOT_LOG=$log \
		chroot_ensure "$T_CHROOT_SUITE" "$T_CHROOT_EXTRA" \
		"${T_CHROOT_PKGS[@]}" "crossbuild-essential-$T_DEB_ARCH"
	deb_build "$T_DEB_ARCH" "$log" -a "$T_DEB_ARCH" -b -us -uc
	mv "$log" "$DEBS_DIR/build.log"
}

# deb_lintian DIR: lintian (the host's) on every .changes in DIR, or on
# its .deb files when there is none. Prints lintian's output (also kept
# in DIR/lintian.log); fails on any error or warning that no
# debian/*.lintian-overrides entry explains.
deb_lintian() {
	local dir=$1 rc=0
	local -a files=()
	deps_ensure lintian
	mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.changes' | sort)
	[[ ${#files[@]} -gt 0 ]] || mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.deb' | sort)
	[[ ${#files[@]} -gt 0 ]] || die "no .changes or .deb in $dir"
	say "lintian ${files[*]#"$dir/"}"
	lintian --fail-on error,warning --display-info --pedantic --show-overrides \
		"${files[@]}" >"$dir/lintian.log" 2>&1 || rc=$?
	# lintian warns about being run as root; that is not about the packages.
	grep -v '^running with root privileges' "$dir/lintian.log" || true
	[[ $rc -eq 0 ]] || { warn "lintian found errors or warnings in $dir (exit $rc)"; return 1; }
	say "lintian: no error or warning"
}
