# shellcheck shell=bash
# Guest kernel: download the image package into the cache (never install
# it: that would land in the host's /boot and boot menu), unpack it with
# dpkg-deb, and index its modules with depmod. Everything is kept under
# $CACHE and reused on the next run.

# Download PKG at version VER (or the candidate when VER is not available)
# into $CACHE/dl; print the .deb's path.
deb_fetch() {
	local pkg=$1 ver=$2 dl=$CACHE/dl f
	mkdir -p "$dl"
	# apt-get download names files PKG_VERSION_ARCH.deb with ':' as %3a.
	f=$(compgen -G "$dl/${pkg}_${ver//:/%3a}_*.deb" | head -n 1 || true)
	if [[ -n $f ]]; then
		printf '%s\n' "$f"
		return 0
	fi
	if ! apt-cache show "$pkg=$ver" >/dev/null 2>&1; then
		apt_update_once >&2
	fi
	local want=$pkg=$ver
	if ! apt-cache show "$want" >/dev/null 2>&1; then
		apt-cache show "$pkg" >/dev/null 2>&1 ||
			die "package $pkg is not in the configured apt sources"
		warn "$pkg $ver is no longer in the archive; using its candidate version"
		want=$pkg
	fi
	say "downloading $want" >&2
	# Download into a scratch directory first so that an interrupted
	# download never leaves a truncated .deb in the cache.
	local tmp
	tmp=$(mktemp -d "$dl/.part.XXXXXX")
	if ! (cd "$tmp" && apt-get download -q "$want") >>"$RUN_DIR/apt.log" 2>&1; then
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
	local deb key
	lock_on 8 "$CACHE/locks/kernel.lock"
	deb=$(deb_fetch "$T_IMAGE_PKG" "$T_IMAGE_VER")
	key=$(basename "$deb" .deb)
	KROOT=$CACHE/kernels/$key
	if [[ ! -e $KROOT/.complete ]]; then
		say "unpacking $(basename "$deb")"
		rm -rf "$KROOT.tmp" "$KROOT"
		mkdir -p "$KROOT.tmp"
		dpkg-deb -x "$deb" "$KROOT.tmp" || die "cannot unpack $deb"
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
