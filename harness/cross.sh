# shellcheck shell=bash
# PROG_ROOT, T_* and KVER/KDIR are read by the other harness files.
# shellcheck disable=SC2034,SC2016
# Lanes whose guest is another architecture (arm64, riscv64): everything
# for them is built in a Debian chroot of the kernel's suite that has the
# guest's architecture added (dpkg --add-architecture), one per lane
# ($CACHE/chroots/SUITE-ARCH: the x86 lanes' chroots never see a foreign
# architecture's package lists), so that its
# cross compiler, libc, libcmocka and libdrm are the packaged ones and
# the host's dpkg never learns of a foreign architecture.
#
#   module    the kernel's own headers package of the guest architecture,
#             unpacked (not installed: its scripts are built for that
#             architecture) into the chroot, next to the host-architecture
#             linux-kbuild and -common packages of the same version, which
#             are installed; built with the cross compiler, W=1
#   programs  lib/, user/ and tests/ copied to $CACHE/build/ARCH-KERNEL/progs
#             and built there with the cross compiler (PROG_ROOT); the
#             programs carry libdmabuf-lab linked in statically
#   image     the chroot's apt downloads the kernel, busybox-static and
#             nothing else; the initramfs takes the loader and libraries
#             the programs name (readelf) from the chroot (T_SYSROOT)

# The chroot's candidate version of PKG (with :ARCH), or nothing.
cross_candidate() {
	chroot "$CHROOT" apt-cache show --no-all-versions "$1" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }'
}

# Sets KVER, KDIR, T_IMAGE_PKGS, T_IMAGE_VER, T_APT_ROOT, T_SYSROOT, T_BUSYBOX;
# makes the guest architecture's headers of KVER usable in the chroot.
target_resolve_kernel_cross() {
	local a=$T_DEB_ARCH hdr pkg
	CHROOT_NAME=$T_CHROOT_NAME CHROOT_FOREIGN_ARCHES=$a chroot_ensure "$T_CHROOT_SUITE" "$T_CHROOT_EXTRA" "${T_CHROOT_PKGS[@]}"
	T_APT_ROOT=$CHROOT T_SYSROOT=$CHROOT
	if [[ -z $(find "$CHROOT/var/lib/apt/lists" -maxdepth 1 -name '*_InRelease' -mmin -1440 2>/dev/null) ]]; then
		say "refreshing the $T_CHROOT_SUITE chroot's package lists"
		lock_on 6 "$CACHE/locks/chroot-$T_CHROOT_NAME.lock"
		chroot_apt_update "$CHROOT"
		flock -u 6
	fi
	# The newest ABI: what the flavour's meta-package depends on.
	hdr=$(chroot "$CHROOT" apt-cache depends "$T_HEADERS_META:$a" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { sub(/:.*/, "", $2); print $2; exit }')
	[[ -n $hdr ]] || die "no $T_HEADERS_META:$a in the $T_CHROOT_SUITE chroot's archive"
	KVER=${hdr#linux-headers-}
	KDIR=/usr/src/linux-headers-$KVER
	T_IMAGE_VER=$(cross_candidate "$hdr:$a")
	[[ -n $T_IMAGE_VER ]] || die "no version of $hdr:$a"
	T_IMAGE_PKGS=()
	# 7.x splits the image into linux-binary (the kernel), linux-modules
	# and linux-base (modules.builtin, which tells modprobe that a module
	# is built in); linux-image is then only a package depending on them.
	if [[ $(cross_candidate "linux-binary-$KVER:$a") == "$T_IMAGE_VER" &&
		$(cross_candidate "linux-modules-$KVER:$a") == "$T_IMAGE_VER" ]]; then
		T_IMAGE_PKGS=("linux-binary-$KVER:$a" "linux-modules-$KVER:$a")
		[[ $(cross_candidate "linux-base-$KVER:$a") != "$T_IMAGE_VER" ]] ||
			T_IMAGE_PKGS+=("linux-base-$KVER:$a")
	else
		for pkg in "linux-image-$KVER-unsigned" "linux-image-$KVER"; do
			if [[ $(cross_candidate "$pkg:$a") == "$T_IMAGE_VER" ]]; then
				T_IMAGE_PKGS=("$pkg:$a")
				break
			fi
		done
	fi
	[[ ${#T_IMAGE_PKGS[@]} -ge 1 ]] || die "no kernel image $KVER ($T_IMAGE_VER) for $a"
	[[ ${KVER%%-*} == "$T_KERNEL".* ]] ||
		die "the $T_CHROOT_SUITE archive gives kernel $KVER, not a $T_KERNEL kernel"
	say "target $T_ARCH/$T_KERNEL: kernel $KVER ($T_IMAGE_VER)"
	cross_headers_unpack "$hdr"
	cross_busybox
	[[ $T_ARCH != riscv64 ]] || cross_opensbi
}

# The guest architecture's headers package HDR at T_IMAGE_VER, usable in
# the chroot.
cross_headers_unpack() {
	local hdr=$1 a=$T_DEB_ARCH deps common kbuild
	local stamp=$CHROOT$KDIR/.dmabuf-lab-unpacked
	[[ -f $stamp && $(cat "$stamp") == "$T_IMAGE_VER" ]] && return 0
	# Its dependencies of the host's architecture: the -common headers
	# and the kbuild tools (scripts/ and tools/ link to them).
	# "Depends: <linux-headers-V-common:arm64>": an Architecture: all
	# package, named with the architecture that asked for it.
	deps=$(chroot "$CHROOT" apt-cache depends "$hdr:$a" 2>/dev/null |
		awk '$1 == "Depends:" { gsub(/[<>]/, "", $2); sub(/:.*/, "", $2); print $2 }')
	common=$(grep -m 1 -- '-common' <<<"$deps" || true)
	kbuild=$(grep -m 1 '^linux-kbuild-' <<<"$deps" || true)
	[[ -n $kbuild ]] || die "cannot tell the kbuild package $hdr needs"
	say "installing ${common:+$common and }$kbuild ($T_IMAGE_VER) in the $T_CHROOT_SUITE chroot"
	lock_on 6 "$CACHE/locks/chroot-$T_CHROOT_NAME.lock"
	chroot_run "$CHROOT" apt-get install -y -q --no-install-recommends \
		${common:+"$common=$T_IMAGE_VER"} "$kbuild=$T_IMAGE_VER" ||
		die "installing $kbuild in the $T_CHROOT_SUITE chroot failed (see apt.log)"
	local deb
	deb=$(deb_fetch "$hdr:$a" "$T_IMAGE_VER")
	say "unpacking $(basename "$deb") into the $T_CHROOT_SUITE chroot"
	# Only its usr/src: unpacking the whole package over the chroot's
	# root would turn the merged-/usr /lib symlink into a folder.
	local tmp
	tmp=$(mktemp -d "$RUN_DIR/headers.XXXXXX")
	dpkg-deb -x "$deb" "$tmp" || die "cannot unpack $deb"
	[[ -f $tmp$KDIR/Makefile ]] || die "$deb holds no $KDIR/Makefile"
	rm -rf "${CHROOT:?}$KDIR"
	cp -a "$tmp$KDIR" "$CHROOT$KDIR" || die "cannot copy $KDIR into $CHROOT"
	rm -rf "$tmp"
	printf '%s\n' "$T_IMAGE_VER" >"$stamp"
	flock -u 6
}

# The modules, built in the chroot like build_module_chroot does, with the
# cross compiler the headers' .kernelvariables name (ARCH and
# CROSS_COMPILE are given too, for headers that do not).
build_module_cross() {
	local mlog=$1 dir=$CACHE/build/$T_ARCH-$T_KERNEL
	say "building module for $T_ARCH in the $T_CHROOT_SUITE chroot (KDIR=$KDIR, W=1)"
	rm -rf "$dir/module" "$dir/include"
	mkdir -p "$dir"
	copy_module_sources "$dir"
	MODDIR=$dir/module
	CHROOT_BIND=$dir CHROOT_LOG=$mlog chroot_run "$CHROOT" \
		make -C "$MODDIR" KDIR="$KDIR" ARCH="$T_KARCH" CROSS_COMPILE="$T_CROSS" W=1 ${MODULE_MAKE_ARGS[@]+"${MODULE_MAKE_ARGS[@]}"} ||
		{ cat "$mlog" >>"$RUN_DIR/build.log"; die "module build failed (see build.log)"; }
}

# lib/, user/ and tests/ for the guest's architecture, in a copy (the
# checkout's programs are the host's). Sets PROG_ROOT.
build_programs_cross() {
	local log=$RUN_DIR/build.log dir=$CACHE/build/$T_ARCH-$T_KERNEL/progs
	say "building user programs and tests for $T_ARCH in the $T_CHROOT_SUITE chroot"
	rm -rf "$dir"
	mkdir -p "$dir"
	# dkms.conf and version.mk: the programs print the version dkms.conf gives.
	(cd "$ROOT" && find dkms.conf version.mk include lib user tests -type f ! -name '*.o' \
		! -path 'tests/bin/*' ! -path 'user/dmabuf-inspect/tests/bin/*' ! -path 'lib/tests/bin/*' \
		! -name 'libdmabuf-lab.a' ! -name 'libdmabuf-lab.so*' -print0 |
		tar --null -T - -cf -) | tar -C "$dir" -xf - || die "cannot copy the programs to $dir"
	# Drop the host's binaries that came along: every file make builds.
	(cd "$dir" && make -s -C user clean >/dev/null 2>&1 || true)
	# dmabuf-inspect's BPF skeleton, made on the host: the chroot has no
	# clang, and the object is the same for every architecture.
	run_logged "$log" make -C "$dir/user/dmabuf-inspect" skeleton ||
		die "building dmabuf-inspect's BPF program failed (see build.log)"
	# PKG_CONFIG=false: the Makefiles' fallback flags find libdrm in the
	# multiarch paths the cross compiler searches.
	CHROOT_BIND=$dir CHROOT_LOG=$log chroot_run "$CHROOT" /bin/sh -c '
		make -C "$1/user" CROSS_COMPILE="$2" &&
		make -C "$1/tests" CROSS_COMPILE="$2" PKG_CONFIG=false
	' sh "$dir" "$T_CROSS" || die "building the programs for $T_ARCH failed (see build.log)"
	PROG_ROOT=$dir
}

# busybox-static of the guest's architecture from the chroot's archive,
# unpacked in the cache. Sets T_BUSYBOX.
cross_busybox() {
	local a=$T_DEB_ARCH ver deb dir f
	ver=$(cross_candidate "busybox-static:$a")
	[[ -n $ver ]] || die "no busybox-static:$a in the $T_CHROOT_SUITE chroot's archive"
	dir=$CACHE/cross/busybox-static_${ver//:/%3a}_$a
	if [[ ! -e $dir/.complete ]]; then
		deb=$(deb_fetch "busybox-static:$a" "$ver")
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir" || die "cannot unpack $deb"
		touch "$dir/.complete"
	fi
	# bin/busybox up to bookworm, usr/bin/busybox from trixie on.
	for f in "$dir/bin/busybox" "$dir/usr/bin/busybox"; do
		[[ -f $f ]] && { T_BUSYBOX=$f; return 0; }
	done
	die "no busybox in $deb"
}

# The riscv64 guest's firmware: the generic fw_dynamic.bin of the chroot's
# opensbi package, unpacked in the cache, instead of the OpenSBI 1.1 that
# QEMU 7.2 ships (-bios default). That one now and then lets the second
# hart into the kernel's entry point as well as the boot hart, when the
# host is busy: the second hart is then found parked with the primary boot
# path's page table (early_pg_dir) in satp, and the boot hart faulting in
# a loop before the console is up. Debian's kernels have no boot lottery
# (RISCV_BOOT_SPINWAIT=n) to survive that.
# Sets RISCV_FIRMWARE, which target_cross puts after -bios.
cross_opensbi() {
	local ver deb dir fw i
	ver=$(cross_candidate opensbi)
	[[ -n $ver ]] || die "no opensbi in the $T_CHROOT_SUITE chroot's archive"
	dir=$CACHE/cross/opensbi_${ver//:/%3a}
	if [[ ! -e $dir/.complete ]]; then
		deb=$(deb_fetch opensbi "$ver")
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir" || die "cannot unpack $deb"
		touch "$dir/.complete"
	fi
	fw=$dir/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
	[[ -f $fw ]] || die "no generic fw_dynamic.bin in opensbi $ver"
	RISCV_FIRMWARE=$fw
	for ((i = 0; i + 1 < ${#T_QEMU_ARGS[@]}; i++)); do
		[[ ${T_QEMU_ARGS[i]} != -bios ]] || T_QEMU_ARGS[i + 1]=$fw
	done
	say "firmware: OpenSBI $ver (opensbi package)"
}

# initramfs_add_libs for programs of another architecture: the loader and
# the libraries every ELF file names (PT_INTERP, DT_NEEDED), taken from
# the sysroot's multiarch folders, recursively, placed at the same paths.
initramfs_add_libs_sysroot() {
	local stage=$1 f
	local -A seen=()
	local -a queue=()
	while IFS= read -r -d '' f; do
		[[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == '177ELF' ]] || continue
		[[ $f == *.ko ]] && continue
		queue+=("$f")
	done < <(find "$stage/dmabuf-lab" "$stage/usr" -type f -print0)
	local interp lib path d
	while [[ ${#queue[@]} -gt 0 ]]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		interp=$(readelf -lW "$f" 2>/dev/null |
			sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
		if [[ -n $interp && -z ${seen[$interp]:-} ]]; then
			seen[$interp]=1
			[[ -e $T_SYSROOT$interp ]] || die "$(basename "$f") needs $interp, not in $T_SYSROOT"
			mkdir -p "$stage$(dirname "$interp")"
			cp -L "$T_SYSROOT$interp" "$stage$interp"
		fi
		while read -r lib; do
			[[ -n $lib && -z ${seen[$lib]:-} ]] || continue
			seen[$lib]=1
			# Already in the image: unpacked from a package (libdmabuf-lab0).
			if [[ -e $stage/usr/lib/$T_MULTIARCH/$lib ]]; then
				continue
			fi
			path=
			for d in "/lib/$T_MULTIARCH" "/usr/lib/$T_MULTIARCH"; do
				[[ -e $T_SYSROOT$d/$lib ]] && { path=$d/$lib; break; }
			done
			[[ -n $path ]] || die "$(basename "$f") needs $lib, not in $T_SYSROOT"
			mkdir -p "$stage/usr/lib/$T_MULTIARCH"
			cp -L "$T_SYSROOT$path" "$stage/usr/lib/$T_MULTIARCH/$lib"
			queue+=("$stage/usr/lib/$T_MULTIARCH/$lib")
		done < <(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done
}
