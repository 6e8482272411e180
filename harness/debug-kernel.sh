# shellcheck shell=bash
# Globals set here are read by the other harness files.
# shellcheck disable=SC2034
# The debug kernel of the x86_64/debug lane: Debian's linux-source-6.12
# (the bookworm package builds with the host's gcc-12), configured as
# x86_64_defconfig + kvm_guest.config + harness/debug-kernel.config (KASAN,
# kmemleak, lockdep, DMA-API debug, UBSAN, fault injection, KUnit, vgem
# and the dma-buf companions built in). Debian's own kernels have none
# of these.
#
# The built tree is cached in $CACHE/debug-kernel/VERSION-HASH, keyed by
# the source package's version and the hash of the fragment plus the
# recipe below: it is rebuilt only when one of them changes. The tree
# doubles as the KDIR of the out-of-tree modules (make modules_prepare).
#
# Cold cost: about 12 minutes on 2 cores, download and unpacking included.

DK_SRC_PKG=linux-source-6.12
# Bump when the steps of debug_kernel_build change what they produce.
DK_RECIPE=2

# Sets DK_VER (source package version) and DK_TREE (the cached tree).
debug_kernel_resolve() {
	local frag=$HARNESS/debug-kernel.config hash
	[[ -f $frag ]] || die "$frag is missing"
	DK_VER=$(apt-cache policy "$DK_SRC_PKG" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
	if [[ -z $DK_VER || $DK_VER == "(none)" ]]; then
		apt_update_once
		DK_VER=$(apt-cache policy "$DK_SRC_PKG" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
	fi
	[[ -n $DK_VER && $DK_VER != "(none)" ]] || die "$DK_SRC_PKG is not in the configured apt sources"
	hash=$({ cat "$frag"; echo "recipe=$DK_RECIPE"; } | sha256sum | cut -c1-12)
	DK_TREE=$CACHE/debug-kernel/${DK_VER//[:~]/_}-$hash/linux
}

# Build the tree unless the cache has it; sets KVER, KDIR, BOOT_IMAGE.
debug_kernel_ensure() {
	debug_kernel_resolve
	lock_on 9 "$CACHE/locks/debug-kernel.lock"
	if [[ ! -e ${DK_TREE%/linux}/.complete ]]; then
		debug_kernel_build
	else
		say "debug kernel: cached ($DK_SRC_PKG $DK_VER, ${DK_TREE%/linux})"
	fi
	flock -u 9
	KDIR=$DK_TREE
	KVER=$(cat "$KDIR/include/config/kernel.release") || die "no kernel.release in $KDIR"
	# The ELF vmlinux boots through its PVH entry point: no decompression
	# under TCG (the bzImage stays the fallback).
	BOOT_IMAGE=$KDIR/arch/x86/boot/bzImage
	if readelf -n "$KDIR/vmlinux" 2>/dev/null | grep -Eq 'Xen.*(\(0x00000012\)|PHYS32_ENTRY)'; then
		BOOT_IMAGE=$KDIR/vmlinux
	fi
	# The few modules (vivid) are installed there, with modules.dep.
	MODROOT=${DK_TREE%/linux}/modroot
}

debug_kernel_build() {
	local top=${DK_TREE%/linux} deb start log jobs prev
	log=$top.log
	start=$(now)
	deb=$(deb_fetch "$DK_SRC_PKG" "$DK_VER")
	say "building the debug kernel from $DK_SRC_PKG $DK_VER (log: $log)"
	rm -rf "$top"
	mkdir -p "$top"
	: >"$log"
	# A tree of the same source built with another fragment: copied and
	# rebuilt incrementally (kbuild tracks each object's config options),
	# minutes instead of a cold build.
	prev=$(debug_kernel_other_trees)
	prev=${prev%%$'\n'*}
	if [[ -n $prev ]]; then
		say "starting from $prev/linux (incremental build)"
		cp -a "$prev/linux" "$DK_TREE" || die "cannot copy $prev/linux"
	else
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xOf - --wildcards './usr/src/linux-source-*.tar.xz' |
			xz -dc | tar -C "$top" -xf - ||
			die "cannot unpack the kernel source from $deb"
		mv "$top"/linux-source-* "$DK_TREE" || die "unexpected layout in $deb"
	fi
	jobs=$(nproc)
	local -a mk=(make -C "$DK_TREE" -j"$jobs" KBUILD_BUILD_USER=dmabuf-lab
		KBUILD_BUILD_HOST=debug-kernel)
	run_logged "$log" "${mk[@]}" x86_64_defconfig kvm_guest.config ||
		die "defconfig failed (see $log)"
	run_logged "$log" "$DK_TREE/scripts/kconfig/merge_config.sh" -m -O "$DK_TREE" \
		"$DK_TREE/.config" "$HARNESS/debug-kernel.config" ||
		die "merging debug-kernel.config failed (see $log)"
	run_logged "$log" "${mk[@]}" olddefconfig || die "olddefconfig failed (see $log)"
	debug_kernel_check_config "$DK_TREE/.config" "$HARNESS/debug-kernel.config"
	# "all" gives vmlinux, bzImage, the few modules of the defconfig and
	# Module.symvers, which external module builds need.
	run_logged "$log" "${mk[@]}" all || die "debug kernel build failed (see $log)"
	run_logged "$log" "${mk[@]}" modules_prepare || die "modules_prepare failed (see $log)"
	rm -rf "$top/modroot"
	run_logged "$log" "${mk[@]}" INSTALL_MOD_PATH="$top/modroot" modules_install ||
		die "modules_install failed (see $log)"
	touch "$top/.complete"
	say "debug kernel built in $(elapsed "$start") s"
	# One tree per source version is kept (about 2.5 GB each).
	for prev in $(debug_kernel_other_trees); do
		rm -rf "$prev" "$prev.log"
	done
}

# Complete trees of the same source version but another fragment, newest
# first. Succeeds when there are none (a fresh cache has no directory to
# list): test.sh runs with errexit and pipefail.
debug_kernel_other_trees() {
	local top=${DK_TREE%/linux} d
	# shellcheck disable=SC2012 # our own directory names, sorted by time
	{ ls -dt "${top%-*}"-*/ 2>/dev/null || true; } | while read -r d; do
		d=${d%/}
		if [[ $d != "$top" && -e $d/.complete ]]; then
			printf '%s\n' "$d"
		fi
	done
}

# Every option of the fragment must have survived olddefconfig: a
# dependency that is not met would otherwise drop it without a word.
debug_kernel_check_config() {
	local config=$1 frag=$2 line opt want got bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Z0-9_]+)=(.*)$ ]]; then
			opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		elif [[ $line =~ ^#\ (CONFIG_[A-Z0-9_]+)\ is\ not\ set$ ]]; then
			opt=${BASH_REMATCH[1]} want=n
		else
			continue
		fi
		got=$(sed -n -e "s/^$opt=//p" -e "s/^# $opt is not set$/n/p" "$config" | head -n 1)
		[[ -n $got ]] || got=n
		if [[ $got != "$want" ]]; then
			warn "debug kernel: $opt=$got, the fragment asks for $want"
			bad=1
		fi
	done <"$frag"
	[[ $bad -eq 0 ]] || die "harness/debug-kernel.config does not apply cleanly (see the warnings)"
}

# ---- the x86_64/debug lane (T_RESOLVE_FN, T_FETCH_FN, T_MODULE_BUILD_FN) ----

debug_kernel_target_resolve() {
	debug_kernel_ensure
	T_APT_ROOT=''
	T_IMAGE_PKGS=("$DK_SRC_PKG")
	T_IMAGE_VER=$DK_VER
	say "target $T_ARCH/$T_KERNEL: kernel $KVER ($DK_SRC_PKG $DK_VER, harness/debug-kernel.config)"
}

# The kernel is the tree's own image: nothing to download or unpack; its
# few modules are in the tree's modroot.
debug_kernel_target_fetch() {
	[[ -f $BOOT_IMAGE ]] || die "no kernel image $BOOT_IMAGE"
}

# The modules, KUnit tests included (CONFIG_KUNIT), built against the
# tree with W=1 from a copy of the sources in the run's directory: the
# checkout's objects stay those of the host's kernel, and two runs do not
# share a build. Sets MODDIR.
debug_kernel_module_build() {
	local mlog=$1 dir=$RUN_DIR/module-build
	say "building module against the debug kernel (KDIR=$KDIR, W=1)"
	rm -rf "$dir"
	mkdir -p "$dir"
	copy_module_sources "$dir"
	MODDIR=$dir/module
	# CONFIG_WERROR= : warnings are counted and shown, as on the other
	# lanes, rather than failing the build (the kernel itself has -Werror).
	run_logged "$mlog" make -C "$MODDIR" KDIR="$KDIR" W=1 CONFIG_WERROR= ${MODULE_MAKE_ARGS[@]+"${MODULE_MAKE_ARGS[@]}"} ||
		{ cat "$mlog" >>"$RUN_DIR/build.log"; die "module build failed (see build.log)"; }
}
