# shellcheck shell=bash
# KOS, TOOLS_DEB and LIB_DEB are read by the other harness files.
# shellcheck disable=SC2034,SC2016
# ./test.sh --packages: the Debian packages tested the way a board
# installs them (MODE=selftest).
#
#   x86_64   build the three packages in a clean bookworm chroot, lintian;
#            install them with apt in a chroot that has the headers of
#            two Debian kernels (the 6.1 the guest boots and bookworm-
#            backports' newest): DKMS must build both modules for both;
#            the -dev package must build a program with pkg-config; every
#            tool must print the package's version; apt purge must leave
#            nothing behind. The guest then boots 6.1 with the modules
#            DKMS built there.
#   arm64,   the packages cross-built (dpkg-buildpackage -a -b) in the
#   riscv64  lane's chroot, lintian; then installed with apt in a root of
#            the board's own architecture (harness/board-root.sh, run by
#            qemu-user) whose uname -r is the lane's kernel: DKMS builds
#            both modules there with the board's gcc and the headers
#            package's own helpers, for the lane's kernel and, when the
#            headers of the suite's backports kernel are installed
#            afterwards, for that one too (the kernel upgrade); a board
#            running a kernel without headers is refused cleanly; the
#            -dev, version and purge checks as on x86_64. The guest then
#            boots the lane's kernel with the modules DKMS built there.
# In every guest the -tools and libdmabuf-lab0 packages are unpacked over
# the image's root,
# the modules sit under /lib/modules/KVER (updates/dkms/ and kernel/, with
# modules.dep), and /init runs dmabuf-lab-selftest.
#
# The host's checks are TAP lines in $RUN_DIR/host.tap ("packages/NAME"),
# counted with the guest's tests.

PKG_NAMES=(dmabuf-lab-dkms dmabuf-lab-tools libdmabuf-lab0 dmabuf-lab-dev)
# The chroot the packages are installed into: bookworm with backports.
PKG_INSTALL_CHROOT=bookworm-install

# host_check NAME STATUS [DIAGNOSTIC FILE]: one host check's TAP line.
host_check() {
	local name=$1 st=$2 diag=${3:-}
	if [[ $st -eq 0 ]]; then
		echo "ok - packages/$name" >>"$RUN_DIR/host.tap"
		say "packages/$name: ok"
	else
		echo "not ok - packages/$name" >>"$RUN_DIR/host.tap"
		say "packages/$name: FAILED"
		if [[ -n $diag && -s $diag ]]; then
			sed 's/^/    /' "$diag" | head -n 40
			sed 's/^/# /' "$diag" >>"$RUN_DIR/host.tap"
		fi
	fi
}

# The version every part must carry: debian/changelog's.
pkg_version() {
	dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version
}

# Sets TOOLS_DEB and LIB_DEB (and, on x86_64, KOS: the modules DKMS built).
packages_prepare() {
	: >"$RUN_DIR/host.tap"
	local arch=${T_DEB_ARCH:-amd64} log=$RUN_DIR/packages.log rc
	if [[ $arch == amd64 ]]; then
		rc=0
		deb_build_native >"$log" 2>&1 || rc=$?
	else
		rc=0
		deb_build_cross "$arch" >"$log" 2>&1 || rc=$?
	fi
	host_check "build_$arch" "$rc" "$log"
	[[ $rc -eq 0 ]] || die "building the packages failed (see above)"
	rc=0
	deb_lintian "$CACHE/debs/$arch" >"$log" 2>&1 || rc=$?
	cat "$log" >>"$RUN_DIR/build.log"
	host_check "lintian_clean_$arch" "$rc" "$log"
	TOOLS_DEB=$(find "$CACHE/debs/$arch" -maxdepth 1 -name "dmabuf-lab-tools_*_$arch.deb" | head -n 1)
	[[ -n $TOOLS_DEB ]] || die "no dmabuf-lab-tools package for $arch in $CACHE/debs/$arch"
	# The tools link libdmabuf-lab.so.0: the image carries the runtime too.
	LIB_DEB=$(find "$CACHE/debs/$arch" -maxdepth 1 -name "libdmabuf-lab0_*_$arch.deb" | head -n 1)
	[[ -n $LIB_DEB ]] || die "no libdmabuf-lab0 package for $arch in $CACHE/debs/$arch"
	if [[ $arch == amd64 ]]; then
		packages_install_check
	else
		packages_board_check
	fi
}

# pkg_debs_copy DIR ARCH: the four packages of ARCH in DIR (emptied first).
pkg_debs_copy() {
	local dir=$1 arch=$2 f
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in dmabuf-lab-dkms_*_all dmabuf-lab-tools_*_"$arch" libdmabuf-lab0_*_"$arch" \
		dmabuf-lab-dev_*_"$arch"; do
		compgen -G "$CACHE/debs/$arch/$f.deb" >/dev/null ||
			die "no $f.deb in $CACHE/debs/$arch"
		# shellcheck disable=SC2086 # f is a pattern
		cp "$CACHE/debs/$arch"/$f.deb "$dir/"
	done
}

# pkg_check_built OUT KVER...: DKMS built and installed both modules for
# each KVER in $CHROOT (vermagic KVER, dkms status "installed"); what is
# wrong goes to OUT.
pkg_check_built() {
	local out=$1 k m f rc=0
	shift
	for k in "$@"; do
		for m in pagebuf v2d_emu; do
			f=$(find "$CHROOT/lib/modules/$k/updates/dkms" -name "$m.ko*" 2>/dev/null | head -n 1 || true)
			if [[ -z $f ]]; then
				echo "no $m.ko under /lib/modules/$k/updates/dkms" >>"$out"
				rc=1
			elif [[ $(chroot_modinfo_vermagic "$f") != "$k" ]]; then
				echo "$f: vermagic $(chroot_modinfo_vermagic "$f"), not $k" >>"$out"
				rc=1
			fi
		done
		pkg_dkms_status -k "$k" | grep -q ': installed$' ||
			{ echo "dkms status for $k: $(pkg_dkms_status)" >>"$out"; rc=1; }
	done
	return "$rc"
}

# pkg_take_kos: KOS gets the modules DKMS built for KVER in $CHROOT.
pkg_take_kos() {
	local m f
	KOS=()
	mkdir -p "$RUN_DIR/dkms-modules"
	for m in pagebuf v2d_emu; do
		f=$(find "$CHROOT/lib/modules/$KVER/updates/dkms" -name "$m.ko*" 2>/dev/null | head -n 1 || true)
		[[ -n $f ]] || die "DKMS built no $m for $KVER in $CHROOT"
		case $f in
		*.xz) xz -dc "$f" >"$RUN_DIR/dkms-modules/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$RUN_DIR/dkms-modules/$m.ko" ;;
		*) cp "$f" "$RUN_DIR/dkms-modules/$m.ko" ;;
		esac
		KOS+=("$RUN_DIR/dkms-modules/$m.ko")
	done
	say "module under test: built by DKMS from dmabuf-lab-dkms $(pkg_version) for $KVER in $(basename "$CHROOT")"
}

# pkg_check_common OUT: the checks every install root gets once the
# packages are installed: -dev, versions, then purge.
pkg_check_common() {
	local out=$1 ver st
	ver=$(pkg_version)
	st=0
	packages_check_dev "$out" || st=$?
	host_check dev_builds_a_program_with_pkg_config "$st" "$out"
	st=0
	packages_check_versions "$ver" "$out" || st=$?
	host_check "every_part_has_version_$ver" "$st" "$out"
	st=0
	packages_check_purge "$out" || st=$?
	host_check purge_leaves_nothing "$st" "$out"
}

# The install chroot: bookworm, its backports, pkg-config, and the
# headers of the guest's 6.1 kernel (KVER) and of backports' newest
# kernel. Sets CHROOT and PKG_KVERS.
packages_install_chroot() {
	CHROOT_NAME=$PKG_INSTALL_CHROOT chroot_ensure bookworm "bookworm-updates bookworm-security bookworm-backports" \
		pkg-config "linux-headers-$KVER"
	local bpo
	bpo=$(chroot "$CHROOT" apt-cache depends -t bookworm-backports linux-headers-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { print $2; exit }')
	[[ -n $bpo ]] || die "bookworm-backports offers no linux-headers-amd64"
	if [[ $(chroot "$CHROOT" dpkg-query -W -f='${db:Status-Status}' "$bpo" 2>/dev/null) != installed ]]; then
		say "installing $bpo (bookworm-backports) in the $PKG_INSTALL_CHROOT chroot"
		lock_on 6 "$CACHE/locks/chroot-$PKG_INSTALL_CHROOT.lock"
		chroot_run "$CHROOT" apt-get install -y -q --no-install-recommends \
			-t bookworm-backports "$bpo" || die "installing $bpo failed (see apt.log)"
		flock -u 6
	fi
	PKG_KVERS=("$KVER" "${bpo#linux-headers-}")
}

# Install, check and purge the packages in the install chroot; KOS gets
# the modules DKMS built for KVER.
packages_install_check() {
	local ver dir out=$RUN_DIR/pkg-check.out st
	ver=$(pkg_version)
	packages_install_chroot
	lock_on 6 "$CACHE/locks/chroot-$PKG_INSTALL_CHROOT.lock"
	dir=$CHROOT/root/debs
	pkg_debs_copy "$dir" amd64
	# A run stopped halfway may have left them installed.
	chroot_run "$CHROOT" apt-get purge -y -q "${PKG_NAMES[@]}" >/dev/null 2>&1 || true

	say "apt install of ${PKG_NAMES[*]} $ver in the $PKG_INSTALL_CHROOT chroot (kernels ${PKG_KVERS[*]})"
	st=0
	CHROOT_LOG=$out chroot_run "$CHROOT" /bin/sh -c 'cd /root/debs && apt-get install -y -q ./*.deb' || st=$?
	host_check apt_install_with_dkms "$st" "$out"

	# DKMS built and installed both modules for both kernels.
	: >"$out"
	st=0
	pkg_check_built "$out" "${PKG_KVERS[@]}" || st=$?
	host_check dkms_built_both_modules_for_both_kernels "$st" "$out"

	# The modules the guest boots: DKMS's build for KVER.
	pkg_take_kos
	pkg_check_common "$out"
	rm -rf "$dir"
	flock -u 6
}

# The board's own root (harness/board-root.sh): the same install as on
# x86_64, by the board's own binaries, then the kernel upgrade; KOS gets
# the modules DKMS built there for KVER. Two DKMS builds in all.
packages_board_check() {
	local ver dir out=$RUN_DIR/pkg-check.out st next
	ver=$(pkg_version)
	board_root_ensure
	next=$BOARD_NEXT_KVER
	lock_on 6 "$CACHE/locks/chroot-$T_CHROOT_SUITE-$T_DEB_ARCH-board.lock"
	dir=$CHROOT/root/debs
	pkg_debs_copy "$dir" "$T_DEB_ARCH"
	# A run stopped halfway may have left them installed; the next
	# kernel's headers come later, as an upgrade.
	chroot_run "$CHROOT" apt-get purge -y -q "${PKG_NAMES[@]}" "linux-headers-$next" >/dev/null 2>&1 || true

	st=0
	packages_check_no_headers "$out" || st=$?
	host_check refused_cleanly_without_the_running_kernels_headers "$st" "$out"

	say "apt install of ${PKG_NAMES[*]} $ver in the $T_DEB_ARCH board root (uname -r $KVER)"
	st=0
	CHROOT_LOG=$out chroot_run "$CHROOT" "${BOARD_ENV[@]}" /bin/sh -c \
		'cd /root/debs && apt-get install -y -q ./*.deb' || st=$?
	[[ $st -ne 0 ]] || pkg_check_built "$out" "$KVER" || st=$?
	host_check apt_install_with_dkms "$st" "$out"

	say "kernel upgrade: apt install linux-headers-$next in the board root"
	: >"$out"
	st=0
	CHROOT_LOG=$out chroot_run "$CHROOT" "${BOARD_ENV[@]}" apt-get install -y -q \
		--no-install-recommends ${BOARD_NEXT_APT[@]+"${BOARD_NEXT_APT[@]}"} "linux-headers-$next" || st=$?
	[[ $st -ne 0 ]] || pkg_check_built "$out" "$next" || st=$?
	host_check kernel_upgrade_makes_dkms_build_for_the_new_kernel "$st" "$out"

	: >"$out"
	st=0
	pkg_check_built "$out" "$KVER" "$next" || st=$?
	host_check dkms_built_both_modules_for_both_kernels "$st" "$out"

	pkg_take_kos
	pkg_check_common "$out"
	chroot_run "$CHROOT" apt-get purge -y -q "linux-headers-$next" >/dev/null 2>&1 || true
	rm -rf "$dir"
	flock -u 6
}

# A board that booted its next kernel before installing that kernel's
# headers: dmabuf-lab-dkms refuses to install (its preinst, before
# anything is unpacked), names the headers package to install, apt fails,
# and nothing is left half installed.
packages_check_no_headers() {
	local out=$1 log=$RUN_DIR/no-headers.log next=$BOARD_NEXT_KVER st=0 rc=0 audit state
	: >"$out"
	chroot_exec "$CHROOT" "QEMU_UNAME=$next" /bin/sh -c \
		'cd /root/debs && apt-get install -y -q ./dmabuf-lab-dkms_*_all.deb' >"$log" 2>&1 || st=$?
	{
		echo "apt-get install with uname -r $next and no linux-headers-$next: exit $st"
		grep -F -A 3 'dmabuf-lab-dkms:' "$log" || true
	} >>"$out"
	[[ $st -ne 0 ]] || { echo "apt-get install succeeded" >>"$out"; rc=1; }
	grep -qF "apt install linux-headers-$next" "$log" ||
		{ echo "no word of linux-headers-$next in apt's output" >>"$out"; rc=1; }
	state=$(chroot "$CHROOT" dpkg-query -W -f='${db:Status-Status}' dmabuf-lab-dkms 2>/dev/null || true)
	[[ -z $state || $state == not-installed ]] ||
		{ echo "dmabuf-lab-dkms is left '$state'" >>"$out"; rc=1; }
	audit=$(chroot "$CHROOT" dpkg --audit 2>&1)
	[[ -z $audit ]] || { echo "dpkg --audit: $audit" >>"$out"; rc=1; }
	[[ -z $(pkg_dkms_status) ]] || { echo "dkms status: $(pkg_dkms_status)" >>"$out"; rc=1; }
	return "$rc"
}

# dkms status [ARGS] of dmabuf-lab in the install chroot (with /proc,
# which dkms needs), its lines only.
pkg_dkms_status() {
	chroot_exec "$CHROOT" dkms status -m dmabuf-lab "$@" 2>/dev/null | grep '^dmabuf-lab/' || true
}

chroot_modinfo_vermagic() {
	chroot "$CHROOT" modinfo -F vermagic "${1#"$CHROOT"}" 2>/dev/null | cut -d' ' -f1
}

# The README's program: libdmabuf-lab and the uapi header found through
# pkg-config, built and run against the installed shared library.
packages_check_dev() {
	local out=$1
	: >"$out"
	CHROOT_LOG=$out chroot_run "$CHROOT" /bin/sh -c '
		set -e
		cd /tmp
		cat >pb.c <<EOF
#include <stdio.h>
#include <dmabuf-lab.h>
#include <uapi/pagebuf.h>
int main(void)
{
	char err[256] = "";
	int ret = dmabuf_lab_spec_check("pagebuf:order1", err, sizeof(err));

	printf("%zu\\n%d %s\\n", sizeof(struct pagebuf_alloc), ret, err);
	return ret == 0;
}
EOF
		echo "pkg-config --cflags --libs dmabuf-lab: $(pkg-config --cflags --libs dmabuf-lab)"
		gcc -Wall -Werror $(pkg-config --cflags dmabuf-lab) -o pb pb.c $(pkg-config --libs dmabuf-lab)
		./pb
		rm -f pb pb.c
	'
}

# dkms.conf, the .pc file and every installed tool say VERSION.
packages_check_versions() {
	local ver=$1 out=$2 rc=0 t got
	: >"$out"
	got=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$CHROOT/usr/src/dmabuf-lab-$ver/dkms.conf" 2>/dev/null)
	[[ $got == "$ver" ]] || { echo "/usr/src/dmabuf-lab-$ver/dkms.conf says '$got'" >>"$out"; rc=1; }
	got=$(chroot "$CHROOT" pkg-config --modversion dmabuf-lab 2>&1)
	[[ $got == "$ver" ]] || { echo "pkg-config --modversion dmabuf-lab says '$got'" >>"$out"; rc=1; }
	for t in user_prog v2d_demo dmabuf-inspect dmabuf-bench dmabuf-conform dmabuf-lab-selftest; do
		got=$(chroot "$CHROOT" "/usr/bin/$t" --version 2>&1)
		[[ $got == "$t $ver" ]] || { echo "$t --version says '$got', want '$t $ver'" >>"$out"; rc=1; }
	done
	return "$rc"
}

# apt purge: no package, no dkms entry, no file of theirs left anywhere.
packages_check_purge() {
	local out=$1 files=$RUN_DIR/pkg-files rc=0 f
	: >"$out"
	chroot "$CHROOT" dpkg -L "${PKG_NAMES[@]}" 2>/dev/null | LC_ALL=C sort -u >"$files"
	CHROOT_LOG=$out chroot_run "$CHROOT" apt-get purge -y -q "${PKG_NAMES[@]}" || rc=1
	: >"$out"
	[[ $rc -eq 0 ]] || echo "apt-get purge failed" >>"$out"
	if [[ -n $(pkg_dkms_status) ]]; then
		echo "dkms status after purge: $(pkg_dkms_status)" >>"$out"
		rc=1
	fi
	# Files (not the shared folders such as /usr/bin) the packages had.
	while read -r f; do
		[[ -e $CHROOT$f && ! -d $CHROOT$f ]] || continue
		echo "left behind: $f" >>"$out"
		rc=1
	done <"$files"
	# And what DKMS and the maintainer scripts made, wherever it went.
	while read -r f; do
		echo "left behind: ${f#"$CHROOT"}" >>"$out"
		rc=1
	done < <(find "$CHROOT/usr/src" "$CHROOT/usr/share" "$CHROOT/usr/lib/modules" \
		"$CHROOT/usr/include" "$CHROOT/usr/libexec" "$CHROOT/etc" "$CHROOT/var/lib/dkms" \
		\( -name '*dmabuf-lab*' -o -name 'pagebuf.ko*' -o -name 'v2d_emu.ko*' \) -print 2>/dev/null)
	f=$(chroot "$CHROOT" dpkg --audit 2>&1)
	[[ -z $f ]] || { echo "dpkg --audit: $f" >>"$out"; rc=1; }
	[[ $rc -ne 0 ]] || echo "nothing left of $(wc -l <"$files") paths; dpkg --audit clean" >>"$out"
	return "$rc"
}

# packages_results RESULTS OUT: the guest's results with the host's checks
# in its run, and one more check: dmabuf-lab-selftest's own count line
# agrees with its TAP lines.
packages_results() {
	local results=$1 out=$2 diag=$RUN_DIR/count.diag counted said
	counted=$(tr -d '\r' <"$results" | awk '
		/^=== DL-RUN-BEGIN/ { inrun = 1; next }
		/^=== DL-RUN-END/ { inrun = 0 }
		!inrun { next }
		/^not ok / { f++; next }
		/^ok .* # SKIP/ { s++; next }
		/^ok / { p++ }
		END { printf "%d passed, %d failed, %d skipped", p, f, s }')
	said=$(tr -d '\r' <"$results" | grep -E -m 1 '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' || true)
	echo "dmabuf-lab-selftest printed '${said:-nothing}'; its TAP lines count $counted" >"$diag"
	local st=0
	[[ $said == "$counted" ]] || st=1
	host_check selftest_count_line_matches_its_tests "$st" "$diag"
	tr -d '\r' <"$results" | awk -v host="$RUN_DIR/host.tap" '
		{ print }
		/^=== DL-RUN-BEGIN/ && !done { while ((getline l <host) > 0) print l; done = 1 }' >"$out"
}

# What the lane needs on the host besides the target's packages.
packages_target() {
	T_APT_PKGS+=(debootstrap lintian dpkg-dev)
	[[ -z ${T_DEB_ARCH:-} ]] || T_APT_PKGS+=(qemu-user-static binfmt-support)
}
