# shellcheck shell=bash
# Globals set here are read by the other harness files.
# shellcheck disable=SC2034
# Everything that depends on the guest kernel or the guest architecture
# lives here, so that adding a lane (another Debian kernel, arm64,
# riscv64) means adding a case below, not touching the other files.
#
# A target defines:
#   T_ARCH, T_KERNEL       names of the lane
#   T_APT_PKGS             host packages the lane needs
#   T_QEMU                 emulator binary
#   T_QEMU_ARGS            machine, CPU, memory arguments (array)
#   T_CONSOLE              kernel console device (console=...)
#   T_RESULTS_DEV          guest device the results are written to
#   T_GUEST_KMODS          in-tree modules (plus dependencies) the guest needs
#   T_BUSYBOX              static busybox binary for the guest
# and the functions
#   target_resolve_kernel  sets KVER, KDIR, T_IMAGE_PKG, T_IMAGE_VER
#   target_kernel_paths R  sets BOOT_IMAGE and MODROOT inside extracted root R
#   target_serial_args C R prints QEMU arguments (one per line) that send
#                          the console to file C and the results to file R
#
# Results channel: kernel console and test results travel on two separate
# serial lines, so a kernel message can never cut a result line in half
# and the parser never mistakes one for the other. x86 has a second 16550
# UART (ttyS1) built into Debian's kernel. The arm64 and riscv64 "virt"
# machines have a single UART; those lanes are meant to use a virtio
# console (hvc0) instead, whose driver Debian builds as a module: the
# guest /init would insmod it from /dmabuf-lab/kmod first (add
# virtio_console to T_GUEST_KMODS and set T_RESULTS_DEV=/dev/hvc0).

target_select() {
	local arch=$1 kernel=$2
	case "$arch/$kernel" in
	x86_64/6.1) target_x86_64_bookworm ;;
	*) die "unsupported target: --arch $arch --kernel $kernel (supported: x86_64/6.1)" ;;
	esac
}

# x86_64 guest running the bookworm kernel whose headers are installed on
# the (bookworm) host: the module builds with the host's compiler.
target_x86_64_bookworm() {
	T_ARCH=x86_64
	T_KERNEL=6.1
	T_APT_PKGS=(qemu-system-x86 busybox-static linux-headers-amd64
		libdrm-dev libcmocka-dev cpio kmod xz-utils gzip gcc make libc6-dev
		pkg-config libc-bin
		dpkg util-linux coreutils)
	T_QEMU=qemu-system-x86_64
	# thread=single: multi-threaded TCG with -smp 2 occasionally panicked
	# at boot on x86 (text-poke race); single-threaded TCG never did.
	# -nodefaults drops the VGA card, NIC and its option ROM: faster boot.
	T_QEMU_ARGS=(-M pc -accel "tcg,thread=single" -smp 2 -m 512 -nodefaults)
	T_CONSOLE=ttyS0
	T_RESULTS_DEV=/dev/ttyS1
	T_GUEST_KMODS=(vgem)
	T_BUSYBOX=/bin/busybox
	T_HEADERS_META=linux-headers-amd64
	T_IMAGE_FLAVOUR=amd64
}

# The headers meta-package depends on the current ABI's headers
# (linux-headers-6.1.0-NN-amd64); the image to boot is the matching
# -unsigned package at the same version, downloaded, never installed.
target_resolve_kernel() {
	local hdr
	# The installed meta-package's dependency, not the archive's candidate:
	# after an apt-get update the candidate may name an ABI that is not
	# installed.
	hdr=$(dpkg-query -W -f='${Depends}' "$T_HEADERS_META" 2>/dev/null |
		tr ',' '\n' | awk '$1 ~ /^linux-headers-/ { print $1; exit }')
	if [[ -z $hdr ]]; then
		hdr=$(apt-cache depends "$T_HEADERS_META" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { print $2; exit }')
	fi
	[[ -n $hdr ]] || die "cannot resolve the headers package of $T_HEADERS_META"
	KVER=${hdr#linux-headers-}
	KDIR=/usr/src/linux-headers-$KVER
	[[ -f $KDIR/Makefile ]] || die "$hdr is not installed ($KDIR missing)"
	T_IMAGE_PKG=linux-image-$KVER-unsigned
	# Same version as the installed headers, so that the module's
	# vermagic and symbol CRCs match the kernel it is loaded into.
	T_IMAGE_VER=$(dpkg-query -W -f='${Version}' "$hdr")
}

# Sets BOOT_IMAGE (what QEMU's -kernel gets) and MODROOT (the tree holding
# lib/modules/$KVER) for the kernel unpacked at ROOT. Called with the
# kernel cache locked, so it may add files to ROOT.
target_kernel_paths() {
	local root=$1
	MODROOT=$root
	[[ -d $root/lib/modules/$KVER ]] || die "no lib/modules/$KVER in $root"
	BOOT_IMAGE=$root/boot/vmlinuz-$KVER
	[[ -f $BOOT_IMAGE ]] || die "no kernel image at $BOOT_IMAGE"
	# Under TCG the bzImage spends about 3 s decompressing itself (xz)
	# before the kernel even starts. Decompress it once on the host and
	# boot the ELF vmlinux through its PVH entry point instead (QEMU does
	# this for any ELF -kernel carrying the PVH note).
	if grep -q '^CONFIG_PVH=y' "$root/boot/config-$KVER" 2>/dev/null; then
		local elf=$root/boot/vmlinux-$KVER
		[[ -f $elf ]] || x86_extract_vmlinux "$BOOT_IMAGE" "$elf" || true
		[[ -f $elf ]] && BOOT_IMAGE=$elf
	fi
}

# The bzImage carries vmlinux as one compressed stream after the setup
# code; find it by its magic number and decompress it.
x86_extract_vmlinux() {
	local bz=$1 out=$2 off
	off=$(LC_ALL=C grep -abo -m 1 $'\xfd7zXZ' "$bz" | head -n 1 | cut -d: -f1)
	if [[ -z $off ]]; then
		warn "no xz stream in $bz: booting the compressed image"
		return 1
	fi
	tail -c +$((off + 1)) "$bz" | xz -dc --single-stream >"$out.tmp" 2>/dev/null || true
	if [[ $(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ') != 7f454c46 ]]; then
		rm -f "$out.tmp"
		warn "could not extract vmlinux from $bz: booting the compressed image"
		return 1
	fi
	mv "$out.tmp" "$out"
}

target_serial_args() {
	local console=$1 results=$2
	printf '%s\n' -serial "file:$console" -serial "file:$results"
}
