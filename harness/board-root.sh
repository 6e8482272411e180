# shellcheck shell=bash
# CHROOT, BOARD_NEXT_KVER, BOARD_NEXT_APT and BOARD_ENV are read by
# harness/packages.sh.
# shellcheck disable=SC2034,SC2016
# A board's own root, for the packages lanes of arm64 and riscv64: a
# Debian root of the board's architecture where apt, dpkg, DKMS, gcc and
# the headers package's own helpers (fixdep, modpost) run as the board's
# binaries, through qemu-user (binfmt_misc). debootstrap --foreign lays it
# out; its second stage and everything after run inside. Cached as
# $CACHE/chroots/SUITE-ARCH-board, like the other chroots.
#
# Inside, uname -r says what QEMU_UNAME says (qemu-user reads it in every
# process it starts): the lane's kernel, as on a board that booted it.
#
# The root holds dkms, pkg-config, gcc and libc6-dev (for the -dev
# check's program: trixie's dkms brings only gcc-14), the headers of the
# lane's kernel (KVER) and the image of a newer kernel (BOARD_NEXT_KVER)
# without that kernel's headers: the board's next kernel, whose headers
# the packages check installs later (the upgrade). No initramfs is ever made there
# (update-initramfs is diverted to true): the root is never booted, and
# emulated, it would take most of the lane's time.

# board_qemu_arch DEB_ARCH: qemu-user's name for a Debian architecture.
board_qemu_arch() {
	case "$1" in
	arm64) echo aarch64 ;;
	riscv64) echo riscv64 ;;
	*) die "no board root for $1 (arm64, riscv64)" ;;
	esac
}

# board_binfmt QEMU_ARCH: binfmt_misc runs QEMU_ARCH's programs with
# qemu-user-static. binfmt_misc is mounted when it is not (and left
# mounted: other lanes may be using it); the entry qemu-user-static
# registered is enabled when binfmt_misc was not mounted at its install.
board_binfmt() {
	local q=$1 dir=/proc/sys/fs/binfmt_misc
	if [[ ! -e $dir/status ]]; then
		mount -t binfmt_misc binfmt_misc "$dir" ||
			die "cannot mount binfmt_misc on $dir: $q programs cannot run here"
	fi
	[[ -e $dir/qemu-$q ]] || update-binfmts --enable "qemu-$q" >/dev/null 2>&1 || true
	grep -qx enabled "$dir/qemu-$q" 2>/dev/null ||
		die "binfmt_misc has no enabled qemu-$q entry (qemu-user-static and binfmt-support register it)"
	# F: the interpreter is opened when it is registered, so that it
	# works inside a root that does not hold it.
	grep -q '^flags:.*F' "$dir/qemu-$q" ||
		die "the qemu-$q binfmt_misc entry lacks the F flag: $q programs cannot run in a root"
}

# board_root_ensure: sets CHROOT to the lane's board root, BOARD_NEXT_KVER
# to its next kernel and BOARD_ENV to the environment of a board running
# KVER.
board_root_ensure() {
	local a=$T_DEB_ARCH suite=$T_CHROOT_SUITE extra
	board_binfmt "$(board_qemu_arch "$a")"
	# shellcheck disable=SC2086 # a list of words
	extra=$(printf '%s\n' $T_CHROOT_EXTRA "$suite-security" "$suite-backports" |
		awk '!seen[$0]++' | tr '\n' ' ')
	CHROOT_NAME=$suite-$a-board CHROOT_ARCH=$a chroot_ensure "$suite" "$extra" \
		dkms pkg-config gcc libc6-dev "linux-headers-$KVER"
	lock_on 6 "$CACHE/locks/chroot-$suite-$a-board.lock"
	# A run stopped inside dpkg leaves the cached root "interrupted", and
	# apt then refuses everything: finish that first.
	chroot_exec "$CHROOT" dpkg --configure -a >>"$RUN_DIR/apt.log" 2>&1 ||
		die "dpkg --configure -a in the board root failed (see apt.log)"
	board_next_kernel "$suite" "$a"
	if [[ $(chroot "$CHROOT" dpkg-query -W -f='${db:Status-Status}' "linux-image-$BOARD_NEXT_KVER" 2>/dev/null) != installed ]]; then
		say "installing linux-image-$BOARD_NEXT_KVER in the board root"
		chroot_run "$CHROOT" apt-get install -y -q --no-install-recommends \
			"${BOARD_NEXT_APT[@]}" "linux-image-$BOARD_NEXT_KVER" ||
			die "installing linux-image-$BOARD_NEXT_KVER in the board root failed (see apt.log)"
	fi
	flock -u 6
	BOARD_ENV=("QEMU_UNAME=$KVER")
}

# board_next_kernel SUITE ARCH: the board's next kernel: the suite's own
# newest (a point or security release with a new ABI) when it is not
# KVER, else backports' (a new series), the way a board's kernel moves
# on. Only one whose headers and image download (a mirror may list
# packages it does not hold). Sets BOARD_NEXT_KVER and BOARD_NEXT_APT
# (apt's -t).
board_next_kernel() {
	local suite=$1 a=$2 t hdr
	local -a opts
	for t in '' "$suite-backports"; do
		opts=()
		[[ -z $t ]] || opts=(-t "$t")
		hdr=$(chroot "$CHROOT" apt-cache depends "${opts[@]}" "linux-headers-$a" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { sub(/:.*/, "", $2); print $2; exit }')
		[[ -n $hdr && $hdr != "linux-headers-$KVER" ]] || continue
		if chroot_exec "$CHROOT" apt-get install -y -q --download-only --no-install-recommends \
			"${opts[@]}" "$hdr" "linux-image-${hdr#linux-headers-}" >>"$RUN_DIR/apt.log" 2>&1; then
			BOARD_NEXT_KVER=${hdr#linux-headers-}
			BOARD_NEXT_APT=("${opts[@]}")
			say "the board's next kernel: $BOARD_NEXT_KVER (${t:-$suite})"
			return 0
		fi
		warn "$hdr (${t:-$suite}) does not download from the mirror: not the next kernel"
	done
	die "the archive of the $a board root offers no kernel besides $KVER"
}
