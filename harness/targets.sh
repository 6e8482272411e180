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
#   T_DKMS                 1: the suite loads the modules `dkms install` put in
#                          the cache (harness/dkms.sh), not the checkout's build
#   T_TIMEOUT              default host-side limit of the guest run (s)
#   T_CHROOT_SUITE         Debian suite whose chroot builds the modules (empty:
#                          the host builds it), T_CHROOT_EXTRA more suites for
#                          its sources (e.g. bullseye-security),
#                          T_CHROOT_PKGS what it needs installed
# and the functions
#   target_resolve_kernel  sets KVER, KDIR (inside the chroot, if any),
#                          T_IMAGE_PKGS, T_IMAGE_VER, T_APT_ROOT (the chroot
#                          whose apt downloads the image, empty for the host)
#   target_kernel_paths R  sets BOOT_IMAGE and MODROOT inside extracted root R
#   target_serial_args C R prints QEMU arguments (one per line) that send
#                          the console to file C and the results to file R
# A lane whose kernel is not a Debian package (x86_64/debug, built from
# source) names functions that replace steps: T_RESOLVE_FN (resolves and
# builds the kernel, setting KVER, KDIR, BOOT_IMAGE, MODROOT),
# T_FETCH_FN (replaces kernel_fetch) and T_MODULE_BUILD_FN LOG (builds
# the modules, setting MODDIR).
#
# Results channel: kernel console and test results travel on two separate
# serial lines, so a kernel message can never cut a result line in half
# and the parser never mistakes one for the other. x86 has a second 16550
# UART (ttyS1) built into Debian's kernel. The arm64 and riscv64 "virt"
# machines have a single UART; those lanes are meant to use a virtio
# console (hvc0) instead, whose driver Debian builds as a module: the
# guest /init would insmod it from /dmabuf-lab/kmod first (add
# virtio_console to T_GUEST_KMODS and set T_RESULTS_DEV=/dev/hvc0).

# The lanes --matrix runs, in order.
TARGETS_ALL=(x86_64/5.10 x86_64/6.1 x86_64/6.12 x86_64/7.2 arm64/6.1 riscv64/6.12
	arm64/7.2 riscv64/7.2)

# The same, longest first (their times in a warm matrix), which is the
# order --matrix starts them in when it runs several at once.
TARGETS_LONGEST_FIRST=(arm64/7.2 riscv64/7.2 riscv64/6.12 arm64/6.1 x86_64/7.2
	x86_64/6.12 x86_64/5.10 x86_64/6.1)

target_select() {
	local arch=$1 kernel=$2
	# Defaults of the optional fields.
	T_CHROOT_SUITE='' T_CHROOT_EXTRA='' T_CHROOT_PKGS=()
	T_RESOLVE_FN='' T_FETCH_FN='' T_MODULE_BUILD_FN=''
	T_DKMS=0 T_TIMEOUT=900 T_DEB_ARCH='' T_EARLY_KMODS=()
	case "$arch/$kernel" in
	x86_64/6.1) target_x86_64_bookworm ;;
	x86_64/5.10) target_x86_64_chroot 5.10 bullseye bullseye-security ;;
	x86_64/6.12) target_x86_64_chroot 6.12 trixie trixie-security ;;
	x86_64/7.2) target_x86_64_chroot 7.2 sid '' ;;
	x86_64/debug) target_x86_64_debug ;;
	arm64/6.1) target_cross arm64 6.1 bookworm bookworm-security ;;
	# trixie's point-release kernel: trixie-security's riscv64 index was
	# found truncated on a mirror, and a lane must not depend on it.
	riscv64/6.12) target_cross riscv64 6.12 trixie '' ;;
	# The newest kernel on the boards: sid's, where pagebuf is the only
	# generic allocator (Debian's arm64 and riscv64 kernels build no
	# dma-heaps).
	arm64/7.2) target_cross arm64 7.2 sid '' ;;
	riscv64/7.2) target_cross riscv64 7.2 sid '' ;;
	*) die "unsupported target: --arch $arch --kernel $kernel (supported: ${TARGETS_ALL[*]})" ;;
	esac
}

# x86_64 guest running the bookworm kernel whose headers are installed on
# the (bookworm) host: the modules build with the host's compiler.
target_x86_64_bookworm() {
	T_ARCH=x86_64
	T_KERNEL=6.1
	T_APT_PKGS=(qemu-system-x86 busybox-static linux-headers-amd64
		libdrm-dev libcmocka-dev cpio kmod xz-utils gzip gcc make libc6-dev
		pkg-config libc-bin dkms clang bpftool libbpf-dev
		dpkg util-linux coreutils)
	T_QEMU=qemu-system-x86_64
	# thread=single: multi-threaded TCG with -smp 2 occasionally panicked
	# at boot on x86 (text-poke race); single-threaded TCG never did.
	# -nodefaults drops the VGA card, NIC and its option ROM: faster boot.
	T_QEMU_ARGS=(-M pc -accel "tcg,thread=single" -smp 2 -m 512 -nodefaults)
	T_CONSOLE=ttyS0
	T_RESULTS_DEV=/dev/ttyS1
	T_GUEST_KMODS=(vgem vivid)
	T_BUSYBOX=/bin/busybox
	T_HEADERS_META=linux-headers-amd64
	T_IMAGE_FLAVOUR=amd64
	T_DKMS=1
}

# x86_64 guest running the kernel of another Debian suite: the modules
# build inside a chroot of that suite, with the compiler its kernel was
# built with and its linux-headers-amd64. The test programs are the
# host's (the initramfs carries their libraries).
target_x86_64_chroot() {
	target_x86_64_bookworm
	T_KERNEL=$1
	T_DKMS=0
	T_CHROOT_SUITE=$2
	T_CHROOT_EXTRA=$3
	# perl: W=1 runs scripts/kernel-doc, which needs more than perl-base.
	T_CHROOT_PKGS=(linux-headers-amd64 gcc make libc6-dev perl)
	T_APT_PKGS=(qemu-system-x86 busybox-static debootstrap
		libdrm-dev libcmocka-dev cpio kmod xz-utils gzip gcc make libc6-dev
		pkg-config libc-bin dpkg util-linux coreutils clang bpftool libbpf-dev)
}

# x86_64 guest running the debug kernel built from Debian's kernel source
# (harness/debug-kernel.sh): KASAN, kmemleak, lockdep, DMA-API debug, fault
# injection and KUnit, with vgem built in and vivid a module.
# KASAN's shadow memory and kmemleak's pool need more guest memory.
target_x86_64_debug() {
	target_x86_64_bookworm
	T_KERNEL=debug
	T_APT_PKGS+=(flex bison bc libelf-dev libssl-dev)
	T_QEMU_ARGS=(-M pc -accel "tcg,thread=single" -smp 2 -m 1024 -nodefaults)
	T_GUEST_KMODS=(vivid)
	T_DKMS=0
	# swiotlb=force is proven on Debian's kernels, and the whole suite
	# already runs here under DMA-API debug; this lane's extra boot runs
	# the vmap fault path (harness/passes.sh).
	PASSES=("${PASSES_DEBUG_KERNEL[@]}")
	# The suite takes about 10 minutes under KASAN (fuzzer, sweeps, soak).
	T_TIMEOUT=1800
	T_RESOLVE_FN=debug_kernel_target_resolve
	T_FETCH_FN=debug_kernel_target_fetch
	T_MODULE_BUILD_FN=debug_kernel_module_build
}

target_resolve_kernel() {
	if [[ -n $T_RESOLVE_FN ]]; then
		"$T_RESOLVE_FN"
		return
	fi
	if [[ -n $T_CHROOT_SUITE ]]; then
		target_resolve_kernel_chroot
	else
		target_resolve_kernel_host
	fi
	T_KVER_SERIES=${KVER%%-*}
	[[ $T_KVER_SERIES == "$T_KERNEL".* || $T_KVER_SERIES == "$T_KERNEL" ]] ||
		die "the $T_CHROOT_SUITE headers give kernel $KVER, not a $T_KERNEL kernel"
	say "target $T_ARCH/$T_KERNEL: kernel $KVER ($T_IMAGE_VER)"
}

# The suite's newest kernel: the headers meta-package of a chroot whose
# package lists are at most a day old (refreshed, and the headers
# upgraded, otherwise). The image to boot is -unsigned at the same
# version; kernels without one (7.x) ship linux-binary and linux-modules.
target_resolve_kernel_chroot() {
	chroot_ensure "$T_CHROOT_SUITE" "$T_CHROOT_EXTRA" "${T_CHROOT_PKGS[@]}"
	T_APT_ROOT=$CHROOT
	if [[ -z $(find "$CHROOT/var/lib/apt/lists" -maxdepth 1 -name '*_InRelease' -mmin -1440 2>/dev/null) ]]; then
		say "refreshing the $T_CHROOT_SUITE chroot's package lists"
		lock_on 6 "$CACHE/locks/chroot-$T_CHROOT_SUITE.lock"
		chroot_apt_update "$CHROOT"
		chroot_run "$CHROOT" apt-get install -y -q --no-install-recommends "$T_HEADERS_META" ||
			die "upgrading $T_HEADERS_META in the $T_CHROOT_SUITE chroot failed"
		flock -u 6
	fi
	local hdr
	# shellcheck disable=SC2016 # dpkg-query's own ${Field} syntax
	hdr=$(chroot "$CHROOT" dpkg-query -W -f='${Depends}' "$T_HEADERS_META" 2>/dev/null |
		tr ',' '\n' | awk '$1 ~ /^linux-headers-/ { print $1; exit }')
	[[ -n $hdr ]] || die "cannot resolve the headers package of $T_HEADERS_META in $CHROOT"
	KVER=${hdr#linux-headers-}
	KDIR=/usr/src/linux-headers-$KVER
	[[ -f $CHROOT$KDIR/Makefile ]] || die "$hdr is not installed in $CHROOT"
	# shellcheck disable=SC2016
	T_IMAGE_VER=$(chroot "$CHROOT" dpkg-query -W -f='${Version}' "$hdr")
	if chroot "$CHROOT" apt-cache show "linux-image-$KVER-unsigned=$T_IMAGE_VER" >/dev/null 2>&1; then
		T_IMAGE_PKGS=("linux-image-$KVER-unsigned")
	else
		T_IMAGE_PKGS=("linux-binary-$KVER" "linux-modules-$KVER")
	fi
}

# The headers meta-package depends on the current ABI's headers
# (linux-headers-6.1.0-NN-amd64); the image to boot is the matching
# -unsigned package at the same version, downloaded, never installed.
target_resolve_kernel_host() {
	local hdr
	T_APT_ROOT=''
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
	T_IMAGE_PKGS=("linux-image-$KVER-unsigned")
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
	if [[ -n $T_DEB_ARCH ]]; then
		target_kernel_paths_virt "$root"
		return
	fi
	# boot/vmlinuz-KVER in linux-image packages; linux-binary (7.x) ships
	# lib/modules/KVER/vmlinuz.
	local f
	BOOT_IMAGE=
	for f in "$root/boot/vmlinuz-$KVER" "$root/lib/modules/$KVER/vmlinuz"; do
		[[ -f $f ]] && { BOOT_IMAGE=$f; break; }
	done
	[[ -n $BOOT_IMAGE && -f $BOOT_IMAGE ]] || die "no vmlinuz-$KVER in $root"
	# Under TCG the bzImage spends about 3 s decompressing itself (xz)
	# before the kernel even starts. Decompress it once on the host and
	# boot the ELF vmlinux through its PVH entry point instead (QEMU does
	# this for any ELF -kernel carrying the PVH note: Xen note type 18).
	local elf=$root/boot/vmlinux-$KVER
	if [[ ! -f $elf && ! -e $elf.none ]]; then
		mkdir -p "$root/boot"
		if x86_extract_vmlinux "$BOOT_IMAGE" "$elf" &&
			! readelf -n "$elf" 2>/dev/null | grep -Eq 'Xen.*(\(0x00000012\)|PHYS32_ENTRY)'; then
			warn "$elf has no PVH entry point: booting the compressed image"
			rm -f "$elf"
		fi
		[[ -f $elf ]] || : >"$elf.none"
	fi
	[[ -f $elf ]] && BOOT_IMAGE=$elf
	return 0
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
	if [[ -n $T_DEB_ARCH ]]; then
		# virt has one UART: the results go to a virtio console (hvc0).
		printf '%s\n' -serial "file:$console" -device virtio-serial-device \
			-chardev "file,id=dlres,path=$results" -device virtconsole,chardev=dlres
		return
	fi
	printf '%s\n' -serial "file:$console" -serial "file:$results"
}

# A guest of another architecture on QEMU's "virt" machine, everything
# built in a chroot of SUITE with that architecture added (harness/cross.sh).
# target_cross ARCH SERIES SUITE EXTRA_SUITES
target_cross() {
	T_ARCH=$1 T_KERNEL=$2 T_CHROOT_SUITE=$3 T_CHROOT_EXTRA=$4
	T_CHROOT_NAME=$3-$1
	# clang and bpftool: dmabuf-inspect's BPF program is compiled here,
	# once; the chroot's cross build links the target's libbpf.
	T_APT_PKGS=(debootstrap cpio kmod xz-utils gzip binutils dpkg util-linux coreutils
		gcc make clang bpftool)
	T_RESULTS_DEV=/dev/hvc0
	case "$T_ARCH" in
	arm64)
		T_DEB_ARCH=arm64 T_KARCH=arm64 T_MULTIARCH=aarch64-linux-gnu
		T_QEMU=qemu-system-aarch64
		T_APT_PKGS+=(qemu-system-arm)
		# cortex-a57: -cpu max is five times slower under TCG.
		T_QEMU_ARGS=(-M virt -cpu cortex-a57 -smp 2 -m 512 -nodefaults)
		T_CONSOLE=ttyAMA0
		;;
	riscv64)
		T_DEB_ARCH=riscv64 T_KARCH=riscv T_MULTIARCH=riscv64-linux-gnu
		T_QEMU=qemu-system-riscv64
		T_APT_PKGS+=(qemu-system-misc)
		# -bios: the opensbi package's firmware, once cross_opensbi has
		# found it (the packages' build selects this target again).
		T_QEMU_ARGS=(-M virt -bios "${RISCV_FIRMWARE:-default}" -smp 2 -m 512 -nodefaults)
		T_CONSOLE=ttyS0
		;;
	esac
	T_CROSS=$T_MULTIARCH-
	T_HEADERS_META=linux-headers-$T_DEB_ARCH
	T_CHROOT_PKGS=("gcc-$T_MULTIARCH" make perl "libc6-dev:$T_DEB_ARCH"
		"libcmocka-dev:$T_DEB_ARCH" "libdrm-dev:$T_DEB_ARCH" "libbpf-dev:$T_DEB_ARCH")
	# virtio_console (hvc0) and its transport are modules in Debian's
	# kernels: the guest's /init loads them before it writes a result.
	T_EARLY_KMODS=(virtio_mmio virtio_console)
	T_GUEST_KMODS=(vgem vivid "${T_EARLY_KMODS[@]}")
	T_RESOLVE_FN=target_resolve_kernel_cross
	T_MODULE_BUILD_FN=build_module_cross
}

# BOOT_IMAGE of a virt guest: arm64's vmlinuz (QEMU unpacks its gzip) or
# riscv64's vmlinux, both as the package ships them.
target_kernel_paths_virt() {
	local root=$1 f
	BOOT_IMAGE=
	# linux-binary (7.x) ships lib/modules/KVER/vmlinuz or vmlinux.
	for f in "$root/boot/vmlinuz-$KVER" "$root/boot/vmlinux-$KVER" \
		"$root/lib/modules/$KVER/vmlinuz" "$root/lib/modules/$KVER/vmlinux"; do
		[[ -f $f ]] && { BOOT_IMAGE=$f; break; }
	done
	[[ -n $BOOT_IMAGE ]] || die "no vmlinuz-$KVER or vmlinux-$KVER in $root/boot or $root/lib/modules/$KVER"
}
