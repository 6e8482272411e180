# shellcheck shell=bash
# CHROOT is read by the callers; the single-quoted scripts expand in the
# child shell on purpose.
# shellcheck disable=SC2034,SC2016
# Build environments for kernels the host cannot build for: a minimal
# Debian chroot of the kernel's own suite (its compiler, its headers
# package), created with debootstrap and cached under $CACHE/chroots/.
# Nothing is installed on the host besides debootstrap itself, and the
# host's apt configuration is never touched: the chroot has its own.

# The Debian archive the host's apt already uses (deb822 .sources or
# one-line sources.list), read at run time: the first URI that is not a
# security archive. Prints it.
apt_mirror() {
	local uris
	uris=$(apt_source_uris)
	awk '$0 !~ /security/ { print; exit }' <<<"$uris"
}

# The security archive: the host's own when it lists one, else the
# conventional debian-security next to the mirror.
apt_security_mirror() {
	local uris sec
	uris=$(apt_source_uris)
	sec=$(awk '/debian-security/ { print; exit }' <<<"$uris")
	[[ -n $sec ]] || sec=$(apt_mirror | sed 's|/debian/*$|/debian-security|')
	printf '%s\n' "$sec"
}

apt_source_uris() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		# deb [options] URI SUITE COMPONENTS...
		awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			print $i }' "$f"
	done
}

# chroot_ensure SUITE EXTRA_SUITES PACKAGES...: sets CHROOT to a chroot
# of SUITE (with the space-separated EXTRA_SUITES, e.g. "bullseye-security",
# also in its sources) holding PACKAGES. Created once; later runs only
# install what is missing. PACKAGES may name another architecture's
# package (libcmocka-dev:arm64) when that architecture is listed in
# CHROOT_FOREIGN_ARCHES (dpkg --add-architecture in the chroot).
# CHROOT_NAME names the chroot's folder when it is not SUITE; CHROOT_ARCH
# makes it a root of that architecture (harness/board-root.sh).
chroot_ensure() {
	local suite=$1 extra=$2
	shift 2
	local dir=$CACHE/chroots/${CHROOT_NAME:-$suite} mirror sec s
	lock_on 6 "$CACHE/locks/chroot-${CHROOT_NAME:-$suite}.lock"
	CHROOT=$dir
	if [[ ! -e $dir/.complete ]]; then
		mirror=$(apt_mirror)
		sec=$(apt_security_mirror)
		[[ -n $mirror ]] || die "no Debian mirror found in the host's apt sources"
		say "creating $suite chroot in $dir (mirror $mirror)"
		rm -rf "$dir.tmp" "$dir"
		if [[ -n ${CHROOT_ARCH:-} ]]; then
			# Another architecture's root: debootstrap unpacks it, and
			# its second stage runs inside, through qemu-user.
			run_logged "$RUN_DIR/apt.log" debootstrap --foreign --arch="$CHROOT_ARCH" \
				--variant=minbase "$suite" "$dir.tmp" "$mirror" ||
				die "debootstrap --arch $CHROOT_ARCH $suite failed (see apt.log)"
			run_logged "$RUN_DIR/apt.log" chroot "$dir.tmp" /debootstrap/debootstrap --second-stage ||
				die "the second stage of debootstrap --arch $CHROOT_ARCH $suite failed (see apt.log)"
			# Never booted: no initramfs, which would take minutes
			# emulated at every kernel installed there.
			if ! chroot "$dir.tmp" dpkg-divert --local --rename \
				--divert /usr/sbin/update-initramfs.dmabuf-lab --add /usr/sbin/update-initramfs \
				>>"$RUN_DIR/apt.log" 2>&1; then
				die "cannot divert update-initramfs in $dir.tmp"
			fi
			ln -sf /bin/true "$dir.tmp/usr/sbin/update-initramfs"
		else
			run_logged "$RUN_DIR/apt.log" debootstrap --variant=minbase "$suite" "$dir.tmp" "$mirror" ||
				die "debootstrap $suite failed (see apt.log)"
		fi
		{
			printf 'deb %s %s main\n' "$mirror" "$suite"
			for s in $extra; do
				case "$s" in
				*-security) printf 'deb %s %s main\n' "$sec" "$s" ;;
				*) printf 'deb %s %s main\n' "$mirror" "$s" ;;
				esac
			done
		} >"$dir.tmp/etc/apt/sources.list"
		chroot_apt_update "$dir.tmp"
		touch "$dir.tmp/.complete"
		mv "$dir.tmp" "$dir"
	fi
	local missing=() p added=0
	for p in ${CHROOT_FOREIGN_ARCHES:-}; do
		chroot "$dir" dpkg --print-foreign-architectures | grep -qx "$p" && continue
		chroot "$dir" dpkg --add-architecture "$p" || die "dpkg --add-architecture $p in $dir failed"
		added=1
	done
	[[ $added -eq 0 ]] || chroot_apt_update "$dir"
	for p in "$@"; do
		[[ $(chroot "$dir" dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] ||
			missing+=("$p")
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		say "installing in the $suite chroot: ${missing[*]}"
		chroot_apt_update "$dir"
		chroot_run "$dir" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
			die "apt-get install in the $suite chroot failed (see apt.log)"
	fi
	flock -u 6
}

# chroot_run DIR CMD...: run CMD in the chroot with /proc mounted (objtool
# reads it) in a private mount namespace, so that no mount outlives the
# command, even when it is killed. Output goes to apt.log unless
# CHROOT_LOG names another file.
chroot_run() {
	local dir=$1
	shift
	run_logged "${CHROOT_LOG:-$RUN_DIR/apt.log}" chroot_exec "$dir" "$@"
}

# chroot_exec DIR CMD...: the same, output not redirected. A directory
# given as CHROOT_BIND is mounted at the same path inside the chroot. CMD
# may start with NAME=VALUE words (env's), e.g. a board root's QEMU_UNAME.
chroot_exec() {
	local dir=$1
	shift
	unshare -m --propagation private /bin/sh -c '
		dir=$1 bind=$2
		shift 2
		mount -t proc proc "$dir/proc" || exit 1
		if [ -n "$bind" ]; then
			mkdir -p "$dir$bind" && mount --bind "$bind" "$dir$bind" || exit 1
		fi
		exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' chroot_exec "$dir" "${CHROOT_BIND:-}" "$@"
}

# apt-get update in chroot DIR. A mirror that serves a frozen copy of a
# suite (an archive snapshot) has Release files past their Valid-Until
# date: then, and only then, the chroot's apt is told to accept them,
# with a warning.
chroot_apt_update() {
	local dir=$1 log
	log=${CHROOT_LOG:-$RUN_DIR/apt.log}
	if chroot_exec "$dir" apt-get update -q >"$log.update" 2>&1 &&
		! grep -q 'is expired' "$log.update"; then
		cat "$log.update" >>"$log"
		rm -f "$log.update"
		return 0
	fi
	cat "$log.update" >>"$log"
	if grep -q 'is expired' "$log.update"; then
		rm -f "$log.update"
		warn "the mirror's Release file for $(basename "$dir" .tmp) is past its Valid-Until date (a frozen mirror?): accepting it in the chroot"
		echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99dmabuf-lab-valid-until"
		chroot_run "$dir" apt-get update -q && return 0
	fi
	rm -f "$log.update"
	die "apt-get update in chroot $dir failed (see apt.log)"
}
