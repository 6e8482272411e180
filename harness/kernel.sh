# shellcheck shell=bash
# Guest kernel: download the image package into the cache (never install
# it: that would land in the host's /boot and boot menu), unpack it with
# dpkg-deb, and index its modules with depmod. Everything is kept under
# $CACHE and reused on the next run.

# Download PKG at version VER (or the candidate when VER is not available)
# into $CACHE/dl; print the .deb's path.
deb_fetch() {
	local pkg=$1 ver=$2 dl=$CACHE/dl f arch='*'
	mkdir -p "$dl"
	# PKG:ARCH names another architecture's package.
	[[ $pkg != *:* ]] || arch=${pkg#*:}
	# apt-get download names files PKG_VERSION_ARCH.deb with ':' as %3a.
	f=$(compgen -G "$dl/${pkg%%:*}_${ver//:/%3a}_$arch.deb" | head -n 1 || true)
	if [[ -n $f ]]; then
		printf '%s\n' "$f"
		return 0
	fi
	# A chroot lane asks the chroot's apt, which knows the suite.
	local -a apt=()
	[[ -z ${T_APT_ROOT:-} ]] || apt=(chroot "$T_APT_ROOT")
	if [[ -z ${T_APT_ROOT:-} ]] && ! apt-cache show "$pkg=$ver" >/dev/null 2>&1; then
		apt_update_once >&2
	fi
	local want=$pkg=$ver
	if ! "${apt[@]}" apt-cache show "$want" >/dev/null 2>&1; then
		"${apt[@]}" apt-cache show "$pkg" >/dev/null 2>&1 ||
			die "package $pkg is not in the configured apt sources"
		warn "$pkg $ver is no longer in the archive; using its candidate version"
		want=$pkg
	fi
	say "downloading $want" >&2
	# Download into a scratch directory first so that an interrupted
	# download never leaves a truncated .deb in the cache.
	local tmp ok=1
	tmp=$(mktemp -d "$dl/.part.XXXXXX")
	if [[ -n ${T_APT_ROOT:-} ]]; then
		# shellcheck disable=SC2016
		CHROOT_BIND=$tmp chroot_exec "$T_APT_ROOT" /bin/sh -c 'cd "$1" && apt-get download -q "$2"' \
			sh "$tmp" "$want" >>"$RUN_DIR/apt.log" 2>&1 || ok=0
	else
		(cd "$tmp" && apt-get download -q "$want") >>"$RUN_DIR/apt.log" 2>&1 || ok=0
	fi
	if [[ $ok -eq 0 ]]; then
		rm -rf "$tmp"
		die "apt-get download $want failed (see apt.log)"
	fi
	f=$(compgen -G "$tmp/*.deb" | head -n 1)
	mv "$f" "$dl/"
	rm -rf "$tmp"
	printf '%s\n' "$dl/${f##*/}"
}

# Make the unpacked, depmod-ed kernel available; sets KROOT, BOOT_IMAGE,
# MODROOT.
kernel_fetch() {
	local deb key debs=() p
	if [[ -n ${T_FETCH_FN:-} ]]; then
		"$T_FETCH_FN"
		return
	fi
	lock_on 8 "$CACHE/locks/kernel.lock"
	for p in "${T_IMAGE_PKGS[@]}"; do
		deb=$(deb_fetch "$p" "$T_IMAGE_VER")
		debs+=("$deb")
	done
	key=$(basename "${debs[0]}" .deb)
	KROOT=$CACHE/kernels/$key
	if [[ ! -e $KROOT/.complete ]]; then
		rm -rf "$KROOT.tmp" "$KROOT"
		mkdir -p "$KROOT.tmp"
		for deb in "${debs[@]}"; do
			say "unpacking $(basename "$deb")"
			dpkg-deb -x "$deb" "$KROOT.tmp" || die "cannot unpack $deb"
		done
		# Packages of merged-/usr suites put the modules in usr/lib;
		# depmod -b and modprobe -d look in lib/.
		if [[ ! -e $KROOT.tmp/lib && -d $KROOT.tmp/usr/lib/modules ]]; then
			ln -s usr/lib "$KROOT.tmp/lib"
		fi
		# The package ships no modules.dep; without it modprobe cannot
		# resolve dependencies.
		depmod -b "$KROOT.tmp" "$KVER" || die "depmod failed on $KROOT.tmp"
		touch "$KROOT.tmp/.complete"
		mv "$KROOT.tmp" "$KROOT"
	fi
	target_kernel_paths "$KROOT"
	flock -u 8
}

# Copy module NAME and everything it depends on into DEST (uncompressed),
# and write DEST/NAME.order: the basenames in insmod order.
kmod_collect() {
	local name=$1 dest=$2 line path base order=()
	local deps
	deps=$(modprobe -d "$MODROOT" -S "$KVER" --show-depends "$name") ||
		die "module $name not found in $MODROOT/lib/modules/$KVER"
	while read -r line; do
		# "insmod /path/mod.ko [options]" or "builtin mod"
		[[ $line == insmod\ * ]] || continue
		path=$(awk '{ print $2 }' <<<"$line")
		base=$(basename "$path")
		case "$base" in
		*.ko.xz) base=${base%.xz}; [[ -f $dest/$base ]] || xz -dc "$path" >"$dest/$base" ;;
		*.ko.zst) base=${base%.zst}; [[ -f $dest/$base ]] || zstd -qdc "$path" >"$dest/$base" ;;
		*.ko.gz) base=${base%.gz}; [[ -f $dest/$base ]] || gzip -dc "$path" >"$dest/$base" ;;
		*) [[ -f $dest/$base ]] || cp "$path" "$dest/$base" ;;
		esac
		order+=("$base")
	done <<<"$deps"
	printf '%s\n' "${order[@]}" >"$dest/$name.order"
}
